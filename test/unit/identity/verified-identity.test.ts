// One VerifiedIdentity for both protocols, and its revival from a sealed ticket: the IdP session end as one absolute
// time, and claims read back only in their shape, into null-prototype objects.

import { describe, expect, it } from 'vitest';
import { fromOidc, fromSaml, idpSecondsLeft, reviveIdentity, type VerifiedIdentity } from '../../../shared/identity/verified-identity.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

describe('fromOidc and fromSaml', () => {
  it('reduce an ID token to the identity (jti as token id, no IdP session end)', () => {
    const identity = fromOidc({ providerId: 'corp-oidc', issuer: 'https://idp.example.com', subject: 'alice', jti: 'j-1', expiresAt: NOW, claims: { sub: 'alice' } });
    expect(identity).toEqual({ providerId: 'corp-oidc', protocol: 'oidc', subject: 'alice', tokenId: 'j-1', rawClaims: { sub: 'alice' } });
  });

  it('reduce a SAML assertion to the identity (NameID, assertion ID, SessionNotOnOrAfter as epoch ms)', () => {
    const end = new Date(NOW.getTime() + 3600_000);
    const identity = fromSaml({ providerId: 'corp-saml', issuer: 'https://idp', nameId: 'alice@example.com', assertionId: '_a1', notOnOrAfter: NOW, sessionNotOnOrAfter: end, rawClaims: {} });
    expect(identity).toMatchObject({ protocol: 'saml', subject: 'alice@example.com', tokenId: '_a1', idpSessionEnd: end.getTime() });
  });
});

describe('idpSecondsLeft', () => {
  it('counts down to the IdP session end, and is undefined when the IdP set none', () => {
    expect(idpSecondsLeft({ idpSessionEnd: NOW.getTime() + 1800_000 }, NOW)).toBe(1800);
    expect(idpSecondsLeft({ idpSessionEnd: NOW.getTime() + 1800_000 }, new Date(NOW.getTime() + 600_000))).toBe(1200);
    expect(idpSecondsLeft({}, NOW)).toBeUndefined();
  });
});

describe('reviveIdentity', () => {
  const sealed: VerifiedIdentity = { providerId: 'corp-oidc', protocol: 'oidc', subject: 'alice', tokenId: 'j-1', rawClaims: { groups: ['aws-dev'] }, idpSessionEnd: NOW.getTime() };

  it('reads back what was sealed, as JSON carries it', () => {
    expect(reviveIdentity(JSON.parse(JSON.stringify(sealed)))).toEqual(sealed);
  });

  it('keeps a claim named __proto__ a claim, in null-prototype objects', () => {
    const revived = reviveIdentity(JSON.parse('{"providerId":"p","protocol":"saml","subject":"s","rawClaims":{"__proto__":{"isAdmin":true},"groups":["x"]}}'));
    expect(Object.getPrototypeOf(revived?.rawClaims)).toBeNull();
    expect(Object.hasOwn(revived?.rawClaims ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it.each([
    ['not an object', 'alice'],
    ['an array', [sealed]],
    ['no claims', { ...sealed, rawClaims: undefined }],
    ['claims that are a list', { ...sealed, rawClaims: ['a'] }],
    ['a provider that is not a string', { ...sealed, providerId: 7 }],
    ['another protocol', { ...sealed, protocol: 'ldap' }],
    ['a token id that is not a string', { ...sealed, tokenId: 1 }],
    ['an IdP session end that is not a finite number', { ...sealed, idpSessionEnd: 'tomorrow' }],
    ['an infinite IdP session end', { ...sealed, idpSessionEnd: Number.POSITIVE_INFINITY }],
  ])('refuses %s', (_name, value) => {
    expect(reviveIdentity(value)).toBeUndefined();
  });
});
