// docs/security.md browser flows, end to end through the handlers: the sealed flow cookies of the OIDC sign-in (state,
// nonce, PKCE verifier) and of the SP-initiated SAML sign-in (AuthnRequest ID): missing, tampered, swapped,
// of another purpose, expired, replayed. Each row asserts its code, that no picker was shown and nothing issued.

import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { Browser, form, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { expectBrowserRefusal, flipped, hostCookie, later, oidcToCallback, postAcs, samlLogin, samlResponse } from '../support/security-browser.ts';

const broker = useBrokerUnderTest();

interface FlowRow {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly act: () => Promise<HandlerResult>;
}

const callback = (browser: Browser, query: string, cookies?: string[]): Promise<HandlerResult> =>
  browser.call(broker.handlers.oidc, '/oidc/callback', { query, ...(cookies ? { cookies } : {}) });
const oidcFlow = (browser: Browser): string => browser.jar.get(hostCookie('fb_oidc')) ?? '';

const oidcFlowRows: FlowRow[] = [
  { name: 'valid callback', act: async () => { const { browser, query } = await oidcToCallback(broker); return callback(browser, query); } },
  { name: 'flow cookie missing (login CSRF: another browser)', code: 'FLOW_INVALID', act: async () => callback(new Browser(), (await oidcToCallback(broker)).query) },
  {
    name: 'flow cookie tampered',
    code: 'FLOW_INVALID',
    act: async () => {
      const { browser, query } = await oidcToCallback(broker);
      browser.jar.set(hostCookie('fb_oidc'), flipped(oidcFlow(browser)));
      return callback(browser, query);
    },
  },
  {
    name: "another flow's cookie (swapped between two sign-ins)",
    code: 'FLOW_INVALID',
    act: async () => {
      const victim = await oidcToCallback(broker);
      const attacker = await oidcToCallback(broker);
      return callback(new Browser(), victim.query, [`${hostCookie('fb_oidc')}=${oidcFlow(attacker.browser)}`]);
    },
  },
  {
    name: 'a SAML flow cookie as the OIDC flow cookie (purpose confusion)',
    code: 'FLOW_INVALID',
    act: async () => {
      const { query } = await oidcToCallback(broker);
      const saml = await samlLogin(broker);
      return callback(new Browser(), query, [`${hostCookie('fb_oidc')}=${saml.browser.jar.get(hostCookie('fb_saml')) ?? ''}`]);
    },
  },
  { name: 'flow expired (clock + 601 s)', code: 'FLOW_INVALID', act: async () => { const { browser, query } = await oidcToCallback(broker); return later(601, () => callback(browser, query)); } },
  {
    name: 'state changed',
    code: 'FLOW_INVALID',
    act: async () => {
      const { browser, query } = await oidcToCallback(broker);
      const params = new URLSearchParams(query);
      params.set('state', 'forged-state');
      return callback(browser, params.toString());
    },
  },
  {
    name: 'callback replayed with its flow cookie',
    code: 'REPLAY_DETECTED',
    act: async () => {
      const { browser, query } = await oidcToCallback(broker);
      const cookie = `${hostCookie('fb_oidc')}=${oidcFlow(browser)}`;
      expect((await callback(browser, query)).statusCode).toBe(200);
      return callback(new Browser(), query, [cookie]);
    },
  },
  { name: 'callback naming another issuer (mix-up)', code: 'ISSUER_MISMATCH', act: async () => { const { browser, query } = await oidcToCallback(broker, { iss: 'https://evil.example.com' }); return callback(browser, query); } },
  { name: 'flow cookie sent twice (cookie tossing)', code: 'FLOW_INVALID', act: async () => { const { browser, query } = await oidcToCallback(broker); return callback(browser, query, [`${hostCookie('fb_oidc')}=${oidcFlow(browser)}`]); } },
];

describe('GET /oidc/callback: the sealed flow cookie', () => {
  it.each(oidcFlowRows)('$name', async (row) => {
    broker.resetSts();
    const before = broker.codeFlow.tokenRequests();
    const result = await row.act();
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('name="ticket"');
    } else {
      expectBrowserRefusal(broker, result, row.code);
      expect(result.body).not.toContain('name="ticket"');
      // Refused before the code was redeemed (the replay row redeemed it once, for its valid first callback).
      expect(broker.codeFlow.tokenRequests() - before).toBeLessThanOrEqual(row.name.includes('replayed') ? 1 : 0);
    }
    expect(broker.stsCalls()).toBe(0);
  });
});

const samlFlowRows: FlowRow[] = [
  {
    name: 'valid SP-initiated response',
    act: async () => {
      const { browser, requestId } = await samlLogin(broker);
      return postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) });
    },
  },
  {
    name: 'flow cookie tampered',
    code: 'FLOW_INVALID',
    act: async () => {
      const { browser, requestId } = await samlLogin(broker);
      browser.jar.set(hostCookie('fb_saml'), flipped(browser.jar.get(hostCookie('fb_saml')) ?? ''));
      return postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) });
    },
  },
  {
    name: 'flow cookie missing (the response posted in another browser)',
    code: 'IN_RESPONSE_TO_MISMATCH',
    act: async () => {
      const { requestId } = await samlLogin(broker);
      return postAcs(broker, new Browser(), { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) });
    },
  },
  {
    name: "another browser's flow cookie",
    code: 'IN_RESPONSE_TO_MISMATCH',
    act: async () => {
      const victim = await samlLogin(broker);
      const attacker = await samlLogin(broker);
      return postAcs(broker, attacker.browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: victim.requestId }) });
    },
  },
  {
    name: 'an OIDC flow cookie as the SAML flow cookie (purpose confusion)',
    code: 'FLOW_INVALID',
    act: async () => {
      const { requestId } = await samlLogin(broker);
      const oidc = await oidcToCallback(broker);
      return new Browser().call(broker.handlers.saml, '/saml/acs', {
        body: form({ SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) }),
        cookies: [`${hostCookie('fb_saml')}=${oidcFlow(oidc.browser)}`],
      });
    },
  },
  {
    name: 'flow expired (clock + 601 s)',
    code: 'FLOW_INVALID',
    act: async () => {
      const { browser, requestId } = await samlLogin(broker);
      return later(601, async () => postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) }));
    },
  },
  {
    name: 'the request answered twice (second response, same flow cookie)',
    code: 'REPLAY_DETECTED',
    act: async () => {
      const { browser, requestId } = await samlLogin(broker);
      const cookie = `${hostCookie('fb_saml')}=${browser.jar.get(hostCookie('fb_saml')) ?? ''}`;
      expect((await postAcs(broker, browser, { SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) })).statusCode).toBe(200);
      return new Browser().call(broker.handlers.saml, '/saml/acs', { body: form({ SAMLResponse: await samlResponse(broker, { inResponseTo: requestId }) }), cookies: [cookie] });
    },
  },
];

describe('POST /saml/acs: the sealed flow cookie of an SP-initiated sign-in', () => {
  it.each(samlFlowRows)('$name', async (row) => {
    broker.resetSts();
    const result = await row.act();
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('name="ticket"');
    } else {
      expectBrowserRefusal(broker, result, row.code);
      expect(result.body).not.toContain('name="ticket"');
    }
    expect(broker.stsCalls()).toBe(0);
  });
});
