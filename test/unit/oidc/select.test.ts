// Choosing the provider from the unverified `iss` (and, between providers of one issuer, the `aud`).

import { describe, expect, it } from 'vitest';
import type { OidcProviderConfig } from '../../../shared/config/index.ts';
import { selectProvider } from '../../../shared/oidc/select.ts';

const provider = (issuer: string, extra: Partial<OidcProviderConfig> = {}): OidcProviderConfig => ({
  type: 'oidc',
  issuer,
  clientId: 'broker',
  scopes: ['openid'],
  algorithms: ['RS256'],
  singleUseJti: false,
  typ: ['JWT'],
  ...extra,
});

const providers = {
  corp: provider('https://idp.example.com'),
  'app-a': provider('https://shared.example.com', { audiences: ['app-a'] }),
  'app-b': provider('https://shared.example.com', { audiences: ['app-b'] }),
};

describe('selectProvider', () => {
  it.each([
    ['the exact issuer', { iss: 'https://idp.example.com', aud: 'broker' }, 'corp'],
    ['a shared issuer, by audience', { iss: 'https://shared.example.com', aud: 'app-b' }, 'app-b'],
    ['a shared issuer, by one of several audiences', { iss: 'https://shared.example.com', aud: ['x', 'app-a'] }, 'app-a'],
  ])('picks the provider for %s', (_name, payload, expected) => {
    expect(selectProvider(providers, payload)).toBe(expected);
  });

  it.each([
    ['an issuer with a trailing slash', { iss: 'https://idp.example.com/' }],
    ['an issuer in another case', { iss: 'https://IDP.example.com' }],
    ['no issuer', {}],
    ['an issuer that is not a string', { iss: ['https://idp.example.com'] }],
    ['a shared issuer with both audiences', { iss: 'https://shared.example.com', aud: ['app-a', 'app-b'] }],
  ])('refuses %s (UNKNOWN_PROVIDER)', (_name, payload) => {
    expect(() => selectProvider(providers, payload)).toThrow(expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }));
  });

  it('refuses a shared issuer with an audience of neither provider (AUDIENCE_MISMATCH)', () => {
    expect(() => selectProvider(providers, { iss: 'https://shared.example.com', aud: 'app-c' })).toThrow(expect.objectContaining({ code: 'AUDIENCE_MISMATCH' }));
  });
});
