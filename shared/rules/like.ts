// StringLike matching: `*` is any sequence, `?` is one character (code point), nothing else is special.
// Linear-time two-pointer match (no RegExp, so no backtracking blow-up on hostile patterns or values).

export const likeMatch = (value: string, pattern: string): boolean => {
  const v = Array.from(value);
  const p = Array.from(pattern);
  let vi = 0;
  let pi = 0;
  let starP = -1;
  let starV = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === v[vi]))) {
      vi++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starV = vi;
    } else if (starP >= 0) {
      pi = starP + 1;
      vi = ++starV;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
};
