// JSON values (verified token claims, claims read back from a sealed value) copied into null-prototype objects: a
// claim named `__proto__`, `constructor` or `toString` is just another claim, and no lookup on the copy can reach
// Object.prototype (prototype pollution, inherited keys).

export type ClaimSet = Record<string, unknown>;

const copyValue = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(copyValue);
  if (typeof value === 'object' && value !== null) return copyClaims(value as Readonly<Record<string, unknown>>);
  return value;
};

/** Depth is bounded by the strict JSON parse (MAX_DEPTH) that every token payload went through. */
export const copyClaims = (source: Readonly<Record<string, unknown>>): ClaimSet => {
  const target = Object.create(null) as ClaimSet;
  for (const name of Object.keys(source)) {
    // defineProperty, not assignment: even on a null-prototype object this never runs a setter.
    Object.defineProperty(target, name, { value: copyValue(source[name]), enumerable: true, writable: true, configurable: true });
  }
  return target;
};
