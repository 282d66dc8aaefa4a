import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdpMetadata } from '../../../shared/saml/metadata.ts';
import { buildLoginRedirect } from '../../../shared/saml/service-provider.ts';
import { validateSamlResponse } from '../../../shared/saml/validate.ts';
import { DEV_SAML_CLAIMS, startDevSamlIdp, type DevSamlIdp } from '../../../tools/local/dev-saml-idp.ts';
import { ACS_URL, NOW, SP_ENTITY_ID, contextFor, memoryReplayStore } from '../../support/saml-idp.ts';
import type { SamlProviderRuntime } from '../../../shared/saml/types.ts';

let devIdp: DevSamlIdp;
let provider: SamlProviderRuntime;

beforeAll(async () => {
  devIdp = await startDevSamlIdp({ spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL, now: () => NOW });
  provider = { id: 'dev-saml', metadata: parseIdpMetadata(devIdp.metadataXml), allowIdpInitiated: true, wantAssertionsSigned: true, allowSha1: false };
});
afterAll(() => devIdp.stop());

interface Form {
  action: string;
  samlResponse: string;
  relayState?: string | undefined;
  user: string;
}
const formsOf = (html: string): Form[] =>
  [...html.matchAll(/<form method="post" action="([^"]+)"><input type="hidden" name="SAMLResponse" value="([^"]+)">(?:<input type="hidden" name="RelayState" value="([^"]*)">)?<button type="submit">Sign in as (\w+)<\/button><\/form>/g)].map(
    (m) => ({ action: m[1]!, samlResponse: m[2]!, relayState: m[3], user: m[4]! }),
  );

describe('the development SAML IdP', () => {
  it('serves metadata whose entityID and SSO URL the broker reads', () => {
    expect(provider.metadata).toMatchObject({ entityId: devIdp.entityId, ssoRedirectUrl: devIdp.ssoUrl });
  });

  it('answers an SP-initiated AuthnRequest with plain forms (no script) posting signed responses to the ACS', async () => {
    const { url, requestId } = buildLoginRedirect(provider, { entityId: SP_ENTITY_ID, acsUrl: ACS_URL }, 'relay-1');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).not.toContain('<script');
    const forms = formsOf(html);
    expect(forms.map((f) => f.user)).toEqual(['alice', 'bob', 'carol']);
    expect(forms.every((f) => f.action === ACS_URL && f.relayState === 'relay-1')).toBe(true);

    const alice = await validateSamlResponse({ samlResponse: forms[0]!.samlResponse }, contextFor(provider, { expectedInResponseTo: requestId }));
    expect(alice).toMatchObject({ nameId: 'alice@example.com', inResponseTo: requestId, authnContextClassRef: 'https://refeds.org/profile/mfa' });
    expect(alice.rawClaims[DEV_SAML_CLAIMS.groups]).toEqual(['aws-dev', 'eng-platform']);
    expect(alice.rawClaims[DEV_SAML_CLAIMS.department]).toEqual(['Platform']);
    expect(alice.rawClaims.amr).toContain('mfa');
  });

  it('starts an IdP-initiated sign-in for one user', async () => {
    const html = await (await fetch(`${new URL(devIdp.ssoUrl).origin}/idp/start?user=bob`)).text();
    const [form] = formsOf(html);
    const bob = await validateSamlResponse({ samlResponse: form!.samlResponse }, contextFor(provider, { expectedInResponseTo: undefined, replay: memoryReplayStore() }));
    expect(bob).toMatchObject({ nameId: 'bob@example.com', inResponseTo: undefined });
    expect(bob.rawClaims.acr).toEqual(['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport']);
    expect(bob.rawClaims[DEV_SAML_CLAIMS.groups]).toEqual(['aws-dev']);
  });

  it('refuses an AuthnRequest that is missing or from another SP, and unknown users', async () => {
    expect((await fetch(devIdp.ssoUrl)).status).toBe(400);
    const { url } = buildLoginRedirect(provider, { entityId: 'urn:other-sp', acsUrl: ACS_URL });
    expect((await fetch(url)).status).toBe(400);
    expect((await fetch(`${new URL(devIdp.ssoUrl).origin}/idp/start?user=mallory`)).status).toBe(404);
  });
});
