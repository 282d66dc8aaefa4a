// Policy variables in condition values (docs/rules.md): `${claim}` inside a String… operator's value is replaced by
// the identity's values of that claim, as IAM does with `${aws:PrincipalTag/…}`. Each claim value is a separate
// alternative; a missing claim removes the value; `$${` is a literal `${`. What a claim supplies is always literal:
// a `*` or `?` in a claim value never becomes a wildcard, and a `${…}` in a claim value is never expanded again.

import { getClaim } from './claim-sets.ts';
import { compileLike, concatLike, literalLike, type LikePattern } from './like.ts';
import type { Claims } from './types.ts';

export type ValuePart = { readonly text: string } | { readonly claim: string };

/** At most this many alternatives come out of one value once a second multi-valued claim multiplies them. */
export const MAX_ALTERNATIVES = 4096;

/** The parts of a condition value, or undefined when it has no placeholder and no `$${` (it is used as written). */
export const parseValueTemplate = (value: string): readonly ValuePart[] | undefined => {
  if (!value.includes('${')) return undefined;
  const parts: ValuePart[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (value.startsWith('${', i)) {
      const end = value.indexOf('}', i + 2);
      const name = end < 0 ? '' : value.slice(i + 2, end);
      // An unterminated or empty placeholder is text (check-config reports it).
      if (name !== '' && !name.includes('{')) {
        if (text !== '') parts.push({ text });
        text = '';
        parts.push({ claim: name });
        i = end + 1;
        continue;
      }
    }
    text += value[i];
    i += 1;
  }
  if (text !== '') parts.push({ text });
  return parts;
};

/** The claim names a condition value refers to (for config checks and the used-claims set). */
export const policyVariables = (value: string): string[] =>
  (parseValueTemplate(value) ?? []).flatMap((part) => ('claim' in part ? [part.claim] : []));

/** The value after substitution: its text (for explain and every operator but StringLike) and its StringLike pattern. */
export interface Alternative {
  readonly text: string;
  readonly like: LikePattern;
}

export type Substituted = { readonly ok: true; readonly alternatives: readonly Alternative[] } | { readonly ok: false; readonly claims: readonly string[] };

/**
 * Every alternative a templated value stands for with these claims: the product of the claims' values, in order.
 * No alternative when a claim it names is missing. More than MAX_ALTERNATIVES refuses (ok: false) rather than
 * silently dropping some: a deny rule must never lose the value that would have matched.
 */
export const substitute = (parts: readonly ValuePart[], claims: Claims): Substituted => {
  let out: Array<{ text: string; like: LikePattern[] }> = [{ text: '', like: [] }];
  for (const part of parts) {
    if ('text' in part) {
      const like = compileLike(part.text);
      for (const alt of out) {
        alt.text += part.text;
        alt.like.push(like);
      }
      continue;
    }
    const values = getClaim(claims, part.claim);
    if (values.length === 0) return { ok: true, alternatives: [] };
    if (out.length > 1 && out.length * values.length > MAX_ALTERNATIVES) return { ok: false, claims: parts.flatMap((p) => ('claim' in p ? [p.claim] : [])) };
    out = out.flatMap((alt) => values.map((v) => ({ text: alt.text + v, like: [...alt.like, literalLike(v)] })));
  }
  return { ok: true, alternatives: out.map((alt) => ({ text: alt.text, like: concatLike(alt.like) })) };
};
