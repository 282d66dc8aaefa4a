// Claims normalisation: whatever an IdP sent becomes sets of NFC strings in a null-prototype object, so that a
// claim named `__proto__` or `constructor` is just another claim and can never reach Object.prototype.

import type { Claims } from './types.ts';

export const BROKER_PREFIX = 'broker:';

export const emptyClaims = (): Record<string, string[]> => Object.create(null) as Record<string, string[]>;

/** Scalars become one string; arrays are flattened one level; objects and null carry no string value. */
export const claimValues = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap((item) => (Array.isArray(item) ? [] : scalarToString(item)));
  return scalarToString(value);
};

const scalarToString = (value: unknown): string[] => {
  switch (typeof value) {
    case 'string':
      return [value.normalize('NFC')];
    case 'number':
      return Number.isFinite(value) ? [String(value)] : [];
    case 'boolean':
      return [value ? 'true' : 'false'];
    case 'bigint':
      return [value.toString()];
    default:
      return [];
  }
};

/** Own enumerable keys only; names in the `broker:` namespace are dropped: an IdP can never supply them. */
export const normaliseClaims = (raw: Readonly<Record<string, unknown>>): Record<string, string[]> => {
  const out = emptyClaims();
  for (const key of Object.keys(raw)) {
    if (key.startsWith(BROKER_PREFIX)) continue;
    const values = claimValues(raw[key]);
    if (values.length > 0) out[key] = dedupe(values);
  }
  return out;
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
): Record<string, string[]> => {
  const out = normaliseClaims(raw);
  if (!mappings) return out;
  for (const name of Object.keys(mappings)) {
    if (name.startsWith(BROKER_PREFIX)) continue;
    const source = mappings[name] ?? '';
    const value = allowPointers && source.startsWith('/') ? resolvePointer(raw, source) : Object.hasOwn(raw, source) ? raw[source] : undefined;
    const values = [...new Set(claimValues(value))];
    if (values.length > 0) out[name] = values;
    else delete out[name];
  }
  return out;
};
