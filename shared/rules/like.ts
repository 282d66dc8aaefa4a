// StringLike matching: `*` is any sequence, `?` is one character (code point), nothing else is special.
// Linear-time two-pointer match (no RegExp, so no backtracking blow-up on hostile patterns or values).
// A pattern can also be built from pieces (a policy variable's claim value inside a config value): then only the
// config's own `*` and `?` are wildcards, and a `*` that came from a claim is a literal character.

/** Per code point: 0 = a literal character, 1 = `*`, 2 = `?`. */
type Wild = 0 | 1 | 2;

export interface LikePattern {
  readonly chars: readonly string[];
  readonly wild: readonly Wild[];
}

/** A pattern written in the config: `*` and `?` are wildcards. */
export const compileLike = (pattern: string): LikePattern => {
  const chars = Array.from(pattern);
  return { chars, wild: chars.map((c): Wild => (c === '*' ? 1 : c === '?' ? 2 : 0)) };
};

/** Text that matches only itself, whatever characters it holds (a claim value). */
export const literalLike = (text: string): LikePattern => {
  const chars = Array.from(text);
  return { chars, wild: chars.map((): Wild => 0) };
};

export const concatLike = (parts: readonly LikePattern[]): LikePattern => ({
  chars: parts.flatMap((p) => p.chars),
  wild: parts.flatMap((p) => p.wild),
});

export const likeMatchCompiled = (value: readonly string[], pattern: LikePattern): boolean => {
  const { chars: p, wild } = pattern;
  let vi = 0;
  let pi = 0;
  let starP = -1;
  let starV = 0;
  while (vi < value.length) {
    if (pi < p.length && (wild[pi] === 2 || (wild[pi] === 0 && p[pi] === value[vi]))) {
      vi++;
      pi++;
    } else if (pi < p.length && wild[pi] === 1) {
      starP = pi++;
      starV = vi;
    } else if (starP >= 0) {
      pi = starP + 1;
      vi = ++starV;
    } else {
      return false;
    }
  }
  while (pi < p.length && wild[pi] === 1) pi++;
  return pi === p.length;
};

export const likeMatch = (value: string, pattern: string): boolean => likeMatchCompiled(Array.from(value), compileLike(pattern));

/**
 * A matcher for one config pattern over ASCII names (role ids, account names), with the common shapes answered
 * without the general algorithm: `*`, a literal, `prefix*`.
 */
export const likeMatcher = (pattern: string): ((value: string) => boolean) => {
  if (/^\*+$/.test(pattern)) return () => true;
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  const prefix = /^([^*?]*)\*$/.exec(pattern)?.[1];
  if (prefix !== undefined) return (value) => value.startsWith(prefix);
  const compiled = compileLike(pattern);
  return (value) => likeMatchCompiled(Array.from(value), compiled);
};
