// SAML browser sign-in as values: the login's sealed flow (its AuthnRequest ID), the ACS matching a response to
// that flow once — from the provider the browser was sent to — or accepting it unsolicited with a safe RelayState.
// Real signed responses from two samlify test IdPs, the real validator, sealer and rules.

import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../../shared/config/index.ts';
import { createBrowserSignIn, parseTicket, type TicketPayload } from '../../../shared/flows/browser-sign-in.ts';
import { createSamlSignIn, parseSamlFlow, relayDestination, SAML_FLOW_SECONDS, type SamlFlowState } from '../../../shared/flows/saml-sign-in.ts';
import { createMemoryReplayStore } from '../../support/memory-replay.ts';
import { ACS_URL, ALICE, createTestIdp, providerFor, SP_ENTITY_ID, type TestIdp } from '../../support/saml-idp.ts';
import { auditLog, BASE_URL, CTX, EMAIL_ATTR, fakeFederation, fakeIssuer, FLOW_NOW, flowConfig, GROUPS_ATTR, sealerOf } from '../../support/flows.ts';

const CONSOLE = 'https://console.aws.amazon.com/s3/home';

describe('relayDestination', () => {
  it.each([
    ['no RelayState', undefined, undefined],
    ['an empty RelayState', '', undefined],
    ['the AWS console', CONSOLE, CONSOLE],
    ['a regional AWS console', 'https://eu-west-1.console.aws.amazon.com/ec2/home', 'https://eu-west-1.console.aws.amazon.com/ec2/home'],
    ['the GovCloud console', 'https://console.amazonaws-us-gov.com/', 'https://console.amazonaws-us-gov.com/'],
    ['the broker itself', `${BASE_URL}/`, undefined],
    ['a page of the broker', `${BASE_URL}/anything?x=1`, undefined],
  ])('follows %s', (_name, relayState, expected) => {
    expect(relayDestination(BASE_URL, relayState)).toBe(expected);
  });

  it.each([
    ['another site', 'https://evil.example.com/'],
    ['a look-alike of the broker', 'https://broker.example.com.evil.example/'],
    ['the broker over http', 'http://broker.example.com/'],
    ['the broker on another port', 'https://broker.example.com:8443/'],
    ['the console over http', 'http://console.aws.amazon.com/'],
    ['a look-alike of the console', 'https://console.aws.amazon.com.evil.example/'],
    ['the console with credentials in the URL', 'https://user:pass@console.aws.amazon.com/'],
    ['a scheme-relative URL', '//evil.example.com/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['an opaque value', 'some-idp-state-1234'],
  ])('refuses %s: DESTINATION_NOT_ALLOWED (open redirect)', (_name, relayState) => {
    expect(() => relayDestination(BASE_URL, relayState)).toThrow(expect.objectContaining({ code: 'DESTINATION_NOT_ALLOWED' }));
  });
});

describe('createSamlSignIn', () => {
  let config: BrokerConfig;
  let corp: TestIdp;
  let other: TestIdp;

  beforeAll(async () => {
    config = await flowConfig();
    [corp, other] = await Promise.all([createTestIdp(), createTestIdp({ entityId: 'https://other-idp.example.com/saml' })]);
  });

  const setup = () => {
    const replay = createMemoryReplayStore(() => FLOW_NOW.getTime());
    const flows = sealerOf<SamlFlowState>({ purpose: 'saml-flow', failCode: 'FLOW_INVALID', parse: parseSamlFlow });
    const tickets = sealerOf<TicketPayload>({ purpose: 'ticket', failCode: 'TICKET_INVALID', parse: parseTicket });
    const log = auditLog();
    const issuer = fakeIssuer();
    const browser = createBrowserSignIn({ config, tickets, replay, issue: issuer.issue, federation: fakeFederation().federation, audit: log.audit, now: () => FLOW_NOW });
    const signIn = createSamlSignIn({
      baseUrl: BASE_URL,
      clockSkewSeconds: 60,
      maxAssertionAgeSeconds: 600,
      providers: {
        'corp-saml': providerFor(corp, { id: 'corp-saml', allowIdpInitiated: true }),
        'other-saml': providerFor(other, { id: 'other-saml', allowIdpInitiated: false }),
      },
      sp: { entityId: SP_ENTITY_ID, acsUrl: ACS_URL },
      flows,
      replay,
      browser,
    });
    return { signIn, flows, tickets, records: log.records, issuer };
  };

  const user = { ...ALICE, attributes: { [EMAIL_ATTR]: ['alice@example.com'], [GROUPS_ATTR]: ['aws-dev'] } };

  describe('start', () => {
    it('redirects to the IdP with an AuthnRequest, and seals its ID with the provider and the intent', () => {
      const { signIn, flows } = setup();
      const { location, sealedFlow } = signIn.start({ provider: 'corp-saml', role: 'readonly', target: 'cli', now: FLOW_NOW });
      expect(location).toMatch(/^https:\/\/idp\.example\.com\/sso\?SAMLRequest=/);
      const flow = flows.open(sealedFlow, FLOW_NOW);
      expect(flow).toMatchObject({ provider: 'corp-saml', intent: { role: 'readonly', target: 'cli' } });
      expect(flow.requestId).toMatch(/^_[0-9a-f-]{36}$/);
    });

    it(`seals a flow that lives ${SAML_FLOW_SECONDS} s`, () => {
      const { signIn, flows } = setup();
      const { sealedFlow } = signIn.start({ provider: 'corp-saml', now: FLOW_NOW });
      expect(() => flows.open(sealedFlow, new Date(FLOW_NOW.getTime() + SAML_FLOW_SECONDS * 1000))).toThrow(expect.objectContaining({ code: 'FLOW_INVALID' }));
    });

    it.each([
      ['no provider', undefined],
      ['an unknown provider', 'nope'],
      ['a provider named like an Object.prototype member', '__proto__'],
      ['a provider named like an Object.prototype method', 'hasOwnProperty'],
      ['an OIDC provider', 'corp-oidc'],
    ])('refuses %s: UNKNOWN_PROVIDER', (_name, provider) => {
      expect(() => setup().signIn.start({ provider, now: FLOW_NOW })).toThrow(expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }));
    });

    it('refuses a target that is not console or cli, and a destination off the console', () => {
      const { signIn } = setup();
      expect(() => signIn.start({ provider: 'corp-saml', target: 'https://evil.example.com/', now: FLOW_NOW })).toThrow(expect.objectContaining({ code: 'DESTINATION_NOT_ALLOWED' }));
      expect(() => signIn.start({ provider: 'corp-saml', destination: 'https://evil.example.com/', now: FLOW_NOW })).toThrow(expect.objectContaining({ code: 'DESTINATION_NOT_ALLOWED' }));
    });
  });

  describe('acs', () => {
    const loggedIn = (env: ReturnType<typeof setup>, intent: { destination?: string } = {}) => {
      const { sealedFlow } = env.signIn.start({ provider: 'corp-saml', ...intent, now: FLOW_NOW });
      return { sealedFlow, requestId: env.flows.open(sealedFlow, FLOW_NOW).requestId };
    };

    it('answers the flow of this browser with the picker, carrying the intent of the login', async () => {
      const env = setup();
      const { sealedFlow, requestId } = loggedIn(env, { destination: CONSOLE });
      const outcome = await env.signIn.acs({ samlResponse: await corp.response({ user, inResponseTo: requestId }), sealedFlow, ctx: CTX, now: FLOW_NOW });
      expect(outcome).toMatchObject({ kind: 'picker', picker: { who: 'alice@example.com', destination: CONSOLE } });
      expect(env.records[0]).toMatchObject({ protocol: 'saml', provider: 'corp-saml', code: 'PICKER_SHOWN' });
    });

    it('refuses a response from another provider than the one the browser was sent to: IN_RESPONSE_TO_MISMATCH', async () => {
      const env = setup();
      const { sealedFlow, requestId } = loggedIn(env);
      const fromOther = await other.response({ user, inResponseTo: requestId });
      await expect(env.signIn.acs({ samlResponse: fromOther, sealedFlow, ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'IN_RESPONSE_TO_MISMATCH' });
      expect(env.records).toHaveLength(0);
    });

    it('answers an AuthnRequest once: the same flow posted again is REPLAY_DETECTED', async () => {
      const env = setup();
      const { sealedFlow, requestId } = loggedIn(env);
      await env.signIn.acs({ samlResponse: await corp.response({ user, inResponseTo: requestId }), sealedFlow, ctx: CTX, now: FLOW_NOW });
      const again = await corp.response({ user, inResponseTo: requestId, assertionId: '_another-assertion' });
      await expect(env.signIn.acs({ samlResponse: again, sealedFlow, ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
    });

    it('refuses a flow value that does not open: FLOW_INVALID', async () => {
      const env = setup();
      const { requestId } = loggedIn(env);
      await expect(env.signIn.acs({ samlResponse: await corp.response({ user, inResponseTo: requestId }), sealedFlow: 'not-a-flow', ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({
        code: 'FLOW_INVALID',
      });
    });

    it('refuses a form without SAMLResponse: SAML_INVALID', async () => {
      await expect(setup().signIn.acs({ ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'SAML_INVALID' });
    });

    it('accepts an unsolicited response where the provider allows it, its RelayState as the destination', async () => {
      const env = setup();
      const outcome = await env.signIn.acs({ samlResponse: await corp.response({ user, inResponseTo: undefined }), relayState: CONSOLE, ctx: CTX, now: FLOW_NOW });
      expect(outcome).toMatchObject({ kind: 'picker', picker: { destination: CONSOLE } });
    });

    it('refuses an unsolicited response whose RelayState leads off the console and the broker', async () => {
      const env = setup();
      const response = await corp.response({ user, inResponseTo: undefined });
      await expect(env.signIn.acs({ samlResponse: response, relayState: 'https://evil.example.com/', ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    });

    it('refuses an unsolicited response from a provider that does not allow them', async () => {
      const env = setup();
      await expect(env.signIn.acs({ samlResponse: await other.response({ user, inResponseTo: undefined }), ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'UNSOLICITED_RESPONSE' });
    });
  });
});
