// The IAM condition operators, each reduced to "does one claim value match one condition value".
// Negated operators are expressed through their positive twin so that set qualifiers treat them as IAM does.

import { inCidr, parseCidr } from './ip.ts';
import { likeMatch, likeMatchCompiled, type LikePattern } from './like.ts';

export type Qualifier = 'none' | 'ForAnyValue' | 'ForAllValues';

interface OperatorDef {
  /** Negated operators (StringNotEquals…) are true for a value when the positive twin matches no condition value. */
  readonly negated: boolean;
  /** Why a condition value is unusable, or undefined when it is fine. Config checks call this. */
  readonly checkValue: (condition: string) => string | undefined;
  readonly match: (claim: string, condition: string) => boolean;
}

/** IgnoreCase folds ASCII letters only: no locale rules, no dotless-ı or Kelvin-sign surprises. */
export const foldAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

const nfc = (s: string): string => s.normalize('NFC');

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
export const parseNumber = (s: string): number | undefined => {
  const t = s.trim();
  if (!NUMBER.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
};

// A date-time must name its zone (Z or an offset): a zone-less time would depend on the machine's time zone.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
/** ISO 8601 date (UTC) or date-time with a zone, or epoch seconds as IAM accepts. */
export const parseDate = (s: string): number | undefined => {
  const t = s.trim();
  if (/^\d{1,12}$/.test(t)) return Number(t) * 1000;
  if (!ISO_DATE.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

const noCheck = (): undefined => undefined;
const numberCheck = (c: string): string | undefined => (parseNumber(c) === undefined ? `"${c}" is not a number` : undefined);
const dateCheck = (c: string): string | undefined => (parseDate(c) === undefined ? `"${c}" is not an ISO 8601 date or epoch seconds` : undefined);
const boolCheck = (c: string): string | undefined => (/^(true|false)$/i.test(c) ? undefined : `"${c}" is not true or false`);
const cidrCheck = (c: string): string | undefined => (parseCidr(c) ? undefined : `"${c}" is not an IP address or CIDR range`);

const numeric = (cmp: (a: number, b: number) => boolean, negated = false): OperatorDef => ({
  negated,
  checkValue: numberCheck,
  match: (claim, condition) => {
    const a = parseNumber(claim);
    const b = parseNumber(condition);
    return a !== undefined && b !== undefined && cmp(a, b);
  },
});

const date = (cmp: (a: number, b: number) => boolean): OperatorDef => ({
  negated: false,
  checkValue: dateCheck,
  match: (claim, condition) => {
    const a = parseDate(claim);
    const b = parseDate(condition);
    return a !== undefined && b !== undefined && cmp(a, b);
  },
});

const equals = (claim: string, condition: string): boolean => nfc(claim) === nfc(condition);
const equalsIgnoreCase = (claim: string, condition: string): boolean => foldAscii(nfc(claim)) === foldAscii(nfc(condition));
// Pattern characters come only from the config: `*` in a claim value is compared literally.
const like = (claim: string, condition: string): boolean => likeMatch(nfc(claim), nfc(condition));
const ipMatch = (claim: string, condition: string): boolean => {
  const cidr = parseCidr(condition);
  return cidr !== undefined && inCidr(claim, cidr);
};

export const OPERATORS = {
  StringEquals: { negated: false, checkValue: noCheck, match: equals },
  StringNotEquals: { negated: true, checkValue: noCheck, match: equals },
  StringEqualsIgnoreCase: { negated: false, checkValue: noCheck, match: equalsIgnoreCase },
  StringNotEqualsIgnoreCase: { negated: true, checkValue: noCheck, match: equalsIgnoreCase },
  StringLike: { negated: false, checkValue: noCheck, match: like },
  StringNotLike: { negated: true, checkValue: noCheck, match: like },
  Bool: { negated: false, checkValue: boolCheck, match: (claim, condition) => foldAscii(claim) === foldAscii(condition) },
  Null: { negated: false, checkValue: boolCheck, match: () => false },
  NumericEquals: numeric((a, b) => a === b),
  NumericNotEquals: numeric((a, b) => a === b, true),
  NumericLessThan: numeric((a, b) => a < b),
  NumericLessThanEquals: numeric((a, b) => a <= b),
  NumericGreaterThan: numeric((a, b) => a > b),
  NumericGreaterThanEquals: numeric((a, b) => a >= b),
  DateLessThan: date((a, b) => a < b),
  DateGreaterThan: date((a, b) => a > b),
  IpAddress: { negated: false, checkValue: cidrCheck, match: ipMatch },
  NotIpAddress: { negated: true, checkValue: cidrCheck, match: ipMatch },
} as const satisfies Record<string, OperatorDef>;

export type OperatorName = keyof typeof OPERATORS;

export interface ParsedOperator {
  readonly qualifier: Qualifier;
  readonly name: OperatorName;
}

export const parseOperator = (key: string): ParsedOperator | undefined => {
  const colon = key.indexOf(':');
  const prefix = colon >= 0 ? key.slice(0, colon) : '';
  const base = colon >= 0 ? key.slice(colon + 1) : key;
  if (colon >= 0 && prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') return undefined;
  if (!Object.hasOwn(OPERATORS, base)) return undefined;
  return { qualifier: colon >= 0 ? (prefix as Qualifier) : 'none', name: base as OperatorName };
};

export const isNegated = (name: OperatorName): boolean => OPERATORS[name].negated;

/**
 * One condition (operator, claim key, condition values) over the claim's set of values.
 * Without qualifier: positive = some value matches; negated = no value matches (true for a missing claim).
 * ForAnyValue: some value satisfies it. ForAllValues: every value does, and it is FALSE for an empty set
 * (unlike IAM's vacuous truth). Null ignores qualifiers: true = the claim is missing.
 */
export const evaluateCondition = (
  op: ParsedOperator,
  claimValues: readonly string[],
  conditions: readonly string[],
  /** StringLike / StringNotLike patterns built from pieces (policy variables), used instead of `conditions`. */
  likePatterns?: readonly LikePattern[],
): boolean => {
  if (op.name === 'Null') {
    const wantMissing = conditions.some((c) => foldAscii(c) === 'true');
    const wantPresent = conditions.some((c) => foldAscii(c) === 'false');
    const missing = claimValues.length === 0;
    return (wantMissing && missing) || (wantPresent && !missing);
  }
  const def = OPERATORS[op.name];
  const compiled = likePatterns !== undefined && (op.name === 'StringLike' || op.name === 'StringNotLike') ? likePatterns : undefined;
  const positive = compiled
    ? (v: string): boolean => {
        const chars = Array.from(nfc(v));
        return compiled.some((p) => likeMatchCompiled(chars, p));
      }
    : (v: string): boolean => conditions.some((c) => def.match(v, c));
  const holds = def.negated ? (v: string): boolean => !positive(v) : positive;
  switch (op.qualifier) {
    case 'none':
      return def.negated ? claimValues.every(holds) : claimValues.some(holds);
    case 'ForAnyValue':
      return claimValues.some(holds);
    case 'ForAllValues':
      return claimValues.length > 0 && claimValues.every(holds);
  }
};

export const conditionValuesToStrings = (value: unknown): string[] => {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) => (typeof v === 'string' ? [v] : typeof v === 'number' || typeof v === 'boolean' ? [String(v)] : []));
};
