// Claims normalisation: whatever an IdP sent becomes sets of NFC strings in a null-prototype object, so that a
// claim named `__proto__` or `constructor` is just another claim and can never reach Object.prototype.

import type { Claims } from './types.ts';

export const BROKER_PREFIX = 'broker:';

export const emptyClaims = (): Record<string, string[]> => Object.create(null) as Record<string, string[]>;

/** One claim as the engine reads it: its string values, and whether the IdP sent anything it cannot read. */
export interface ClaimRead {
  readonly values: string[];
  /**
   * True when the value holds something that is not a string, number or boolean: a nested array, an object, a
   * non-finite number. Such a value is never silently dropped: a deny rule would not see it (docs/rules.md).
   */
  readonly unreadable: boolean;
}

/**
 * Scalars become one string; an array is the set of its scalars; `null` (also inside an array) is no value.
 * Nested arrays, objects and non-finite numbers carry no string value and make the claim `unreadable`.
 */
export const readClaim = (value: unknown): ClaimRead => {
  if (!Array.isArray(value)) return readScalar(value, { values: [], unreadable: false });
  const out = { values: [] as string[], unreadable: false };
  for (const item of value) {
    if (Array.isArray(item)) out.unreadable = true;
    else readScalar(item, out);
  }
  return out;
};

/** The string values only (see readClaim). */
export const claimValues = (value: unknown): string[] => readClaim(value).values;

const readScalar = (value: unknown, out: { values: string[]; unreadable: boolean }): { values: string[]; unreadable: boolean } => {
  switch (typeof value) {
    case 'string':
      out.values.push(value.normalize('NFC'));
      break;
    case 'number':
      if (Number.isFinite(value)) out.values.push(String(value));
      else out.unreadable = true;
      break;
    case 'boolean':
      out.values.push(value ? 'true' : 'false');
      break;
    case 'bigint':
      out.values.push(value.toString());
      break;
    case 'undefined':
      break;
    default:
      // JSON null is an absent value; an object (or anything stranger) cannot be read as a string.
      if (value !== null) out.unreadable = true;
  }
  return out;
};

/** A claims object and the names whose values could not all be read. */
export interface ReadClaims {
  readonly claims: Record<string, string[]>;
  readonly unreadable: readonly string[];
}

/** Own enumerable keys only; names in the `broker:` namespace are dropped: an IdP can never supply them. */
export const normaliseClaims = (raw: Readonly<Record<string, unknown>>): Record<string, string[]> => readClaims(raw).claims;

const readClaims = (raw: Readonly<Record<string, unknown>>): { claims: Record<string, string[]>; unreadable: Set<string> } => {
  const claims = emptyClaims();
  const unreadable = new Set<string>();
  for (const key of Object.keys(raw)) {
    if (key.startsWith(BROKER_PREFIX)) continue;
    const read = readClaim(raw[key]);
    if (read.values.length > 0) claims[key] = dedupe(read.values);
    if (read.unreadable) unreadable.add(key);
  }
  return { claims, unreadable };
};

const dedupe = (values: readonly string[]): string[] => [...new Set(values)];

export const getClaim = (claims: Claims, name: string): readonly string[] =>
  Object.hasOwn(claims, name) ? (claims[name] ?? []) : [];

/** RFC 6901 JSON pointer into a raw claims object (own properties only). */
export const resolvePointer = (raw: unknown, pointer: string): unknown => {
  if (pointer === '') return raw;
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = raw;
  for (const part of pointer.slice(1).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object') return undefined;
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      node = node[Number(key)];
    } else {
      if (!Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
  }
  return node;
};

export interface MfaValues {
  readonly acr: readonly string[];
  readonly amr: readonly string[];
}

export const DEFAULT_MFA: MfaValues = {
  acr: [
    'https://refeds.org/profile/mfa',
    'http://schemas.microsoft.com/claims/multipleauthn',
    'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
    'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
  ],
  amr: ['mfa', 'otp', 'hwk', 'swk', 'sms', 'fpt', 'face', 'iris', 'retina', 'sc'],
};

export interface BrokerFacts {
  readonly provider: string;
  readonly protocol: 'saml' | 'oidc';
  readonly sourceIp?: string | undefined;
  readonly time: Date;
  readonly mfa: MfaValues;
}

/**
 * The claims object rules see: the IdP's claims (already normalised), names added by the provider's `claims:`
 * mappings, and the broker keys, which always win.
 */
export const withBrokerKeys = (claims: Record<string, string[]>, facts: BrokerFacts): Claims => {
  const out = emptyClaims();
  for (const key of Object.keys(claims)) if (!key.startsWith(BROKER_PREFIX)) out[key] = claims[key] ?? [];
  const acr = getClaim(claims, 'acr');
  const amr = getClaim(claims, 'amr');
  const mfa = acr.some((v) => facts.mfa.acr.includes(v)) || amr.some((v) => facts.mfa.amr.includes(v));
  out['broker:provider'] = [facts.provider];
  out['broker:protocol'] = [facts.protocol];
  out['broker:mfa'] = [mfa ? 'true' : 'false'];
  out['broker:time'] = [facts.time.toISOString()];
  if (facts.sourceIp) out['broker:sourceIp'] = [facts.sourceIp];
  return Object.freeze(out);
};

/**
 * The IdP's raw claims plus the names mapped by the provider's `claims:` section. A mapping source is a claim
 * name, or for OIDC providers a JSON pointer (`/realm_access/roles`). A mapped name replaces a claim of the
 * same name; mappings can never produce a `broker:` key.
 */
export const mapClaims = (
  raw: Readonly<Record<string, unknown>>,
  mappings: Readonly<Record<string, string>> | undefined,
  allowPointers: boolean,
): Record<string, string[]> => readMappedClaims(raw, mappings, allowPointers).claims;

/** mapClaims, and the names (raw or mapped) whose values could not all be read (see readClaim). */
export const readMappedClaims = (
  raw: Readonly<Record<string, unknown>>,
  mappings: Readonly<Record<string, string>> | undefined,
  allowPointers: boolean,
): ReadClaims => {
  const { claims: out, unreadable } = readClaims(raw);
  for (const name of Object.keys(mappings ?? {})) {
    if (name.startsWith(BROKER_PREFIX)) continue;
    const source = mappings?.[name] ?? '';
    const value = allowPointers && source.startsWith('/') ? resolvePointer(raw, source) : Object.hasOwn(raw, source) ? raw[source] : undefined;
    const read = readClaim(value);
    if (read.values.length > 0) out[name] = dedupe(read.values);
    else delete out[name];
    if (read.unreadable) unreadable.add(name);
    else unreadable.delete(name);
  }
  return { claims: out, unreadable: [...unreadable].sort() };
};
