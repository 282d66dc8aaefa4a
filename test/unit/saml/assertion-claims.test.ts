import { describe, expect, it } from 'vitest';
import type { AssertionView } from '../../../shared/saml/assertion.ts';
import { rawClaimsOf } from '../../../shared/saml/assertion-claims.ts';

const view = (over: Partial<AssertionView>): AssertionView => ({ nameId: 'alice', issuer: 'https://idp', attributes: [], ...over }) as AssertionView;

describe('rawClaimsOf', () => {
  it('maps NameID, Issuer and AuthnContextClassRef to sub, iss, acr in a null-prototype object', () => {
    const claims = rawClaimsOf(view({ authnContextClassRef: 'https://refeds.org/profile/mfa' }));
    expect(Object.getPrototypeOf(claims)).toBeNull();
    expect({ ...claims }).toEqual({ sub: ['alice'], iss: ['https://idp'], acr: ['https://refeds.org/profile/mfa'] });
  });

  it('keeps attributes under their full Name and merges several Attribute elements with one Name', () => {
    const claims = rawClaimsOf(view({ attributes: [['http://x/groups', ['a']], ['amr', ['mfa']], ['http://x/groups', ['b', 'c']]] }));
    expect(claims['http://x/groups']).toEqual(['a', 'b', 'c']);
    expect(claims.amr).toEqual(['mfa']);
  });

  it('never lets an attribute stand in for sub, iss or acr', () => {
    const claims = rawClaimsOf(view({ attributes: [['sub', ['admin']], ['iss', ['x']], ['acr', ['https://refeds.org/profile/mfa']]] }));
    expect(claims.sub).toEqual(['alice']);
    expect(claims.iss).toEqual(['https://idp']);
    expect(claims.acr).toBeUndefined();
  });

  it('treats __proto__ as an ordinary attribute name', () => {
    const claims = rawClaimsOf(view({ attributes: [['__proto__', ['x']]] }));
    expect(Object.getPrototypeOf(claims)).toBeNull();
    expect(claims['__proto__']).toEqual(['x']);
  });
});
