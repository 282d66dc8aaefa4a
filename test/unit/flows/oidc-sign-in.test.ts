// OIDC browser sign-in as values: the login seals the code flow's secrets with the provider and the intent; the
// callback needs that sealed flow, spends it once, exchanges the code (a fake code flow here) and goes on to the
// picker. The real sealer, rules and browser sign-in flow.

import { beforeAll, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../../../shared/config/index.ts';
import { BrokerError } from '../../../shared/errors.ts';
import { createBrowserSignIn, parseTicket, type TicketPayload } from '../../../shared/flows/browser-sign-in.ts';
import { createOidcSignIn, OIDC_FLOW_SECONDS, parseOidcFlow, type OidcFlowState } from '../../../shared/flows/oidc-sign-in.ts';
import type { VerifiedIdToken } from '../../../shared/oidc/index.ts';
import type { CodeFlowSecrets, OidcCodeFlow } from '../../../shared/oidc/login.ts';
import { createMemoryReplayStore } from '../../support/memory-replay.ts';
import { auditLog, CTX, fakeFederation, fakeIssuer, FLOW_NOW, flowConfig, sealerOf } from '../../support/flows.ts';

let config: BrokerConfig;
beforeAll(async () => {
  config = await flowConfig();
});

interface Exchange {
  readonly providerId: string;
  readonly rawQuery: string;
  readonly secrets: CodeFlowSecrets;
}

/** The code flow of one IdP, faked: it knows `corp-oidc`, and its exchange answers alice's verified ID token. */
const fakeCodeFlow = (): OidcCodeFlow & { readonly exchanges: Exchange[] } => {
  const exchanges: Exchange[] = [];
  return {
    exchanges,
    provider: (id) => {
      if (id !== 'corp-oidc') throw new BrokerError('UNKNOWN_PROVIDER');
      const provider = config.providers[id];
      if (provider?.type !== 'oidc') throw new Error('test config lacks corp-oidc');
      return { id, provider };
    },
    authorizationUrl: async (providerId, secrets) => `https://idp.example.com/authorize?client_id=broker&state=${secrets.state}&provider=${providerId}`,
    exchange: async (providerId, rawQuery, secrets) => {
      exchanges.push({ providerId, rawQuery, secrets });
      const token: VerifiedIdToken = {
        providerId,
        issuer: 'https://idp.example.com',
        subject: 'alice',
        jti: 'jti-1',
        expiresAt: new Date(FLOW_NOW.getTime() + 300_000),
        claims: { sub: 'alice', email: 'alice@example.com', groups: ['aws-dev'] },
      };
      return token;
    },
  };
};

const setup = () => {
  const replay = createMemoryReplayStore(() => FLOW_NOW.getTime());
  const flows = sealerOf<OidcFlowState>({ purpose: 'oidc-flow', failCode: 'FLOW_INVALID', parse: parseOidcFlow });
  const tickets = sealerOf<TicketPayload>({ purpose: 'ticket', failCode: 'TICKET_INVALID', parse: parseTicket });
  const codeFlow = fakeCodeFlow();
  const browser = createBrowserSignIn({ config, tickets, replay, issue: fakeIssuer().issue, federation: fakeFederation().federation, audit: auditLog().audit, now: () => FLOW_NOW });
  return { signIn: createOidcSignIn({ codeFlow, flows, replay, browser }), flows, codeFlow };
};

describe('start', () => {
  it('redirects to the IdP and seals the state, nonce and PKCE verifier with the provider and the intent', async () => {
    const { signIn, flows } = setup();
    const { location, sealedFlow } = await signIn.start({ provider: 'corp-oidc', role: 'readonly', target: 'console', now: FLOW_NOW });
    const flow = flows.open(sealedFlow, FLOW_NOW);
    expect(flow).toMatchObject({ provider: 'corp-oidc', intent: { role: 'readonly', target: 'console' } });
    expect(location).toContain(`state=${flow.state}`);
    expect(new Set([flow.state, flow.nonce, flow.verifier]).size).toBe(3);
    expect(() => flows.open(sealedFlow, new Date(FLOW_NOW.getTime() + OIDC_FLOW_SECONDS * 1000))).toThrow(expect.objectContaining({ code: 'FLOW_INVALID' }));
  });

  it('draws new secrets for every login', async () => {
    const { signIn, flows } = setup();
    const states = await Promise.all([1, 2].map(async () => flows.open((await signIn.start({ provider: 'corp-oidc', now: FLOW_NOW })).sealedFlow, FLOW_NOW).state));
    expect(states[0]).not.toBe(states[1]);
  });

  it('refuses an unknown provider and a target that is a URL', async () => {
    const { signIn } = setup();
    await expect(signIn.start({ provider: 'nope', now: FLOW_NOW })).rejects.toMatchObject({ code: 'UNKNOWN_PROVIDER' });
    await expect(signIn.start({ provider: 'corp-oidc', target: 'https://evil.example.com/', now: FLOW_NOW })).rejects.toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
  });
});

describe('callback', () => {
  const started = async (env: ReturnType<typeof setup>) => (await env.signIn.start({ provider: 'corp-oidc', now: FLOW_NOW })).sealedFlow;

  it('exchanges the code with the flow’s own secrets, then shows the picker', async () => {
    const env = setup();
    const sealedFlow = await started(env);
    const outcome = await env.signIn.callback({ rawQuery: 'code=abc&state=s&iss=x', sealedFlow, ctx: CTX, now: FLOW_NOW });
    expect(outcome).toMatchObject({ kind: 'picker', picker: { who: 'alice' } });
    const flow = env.flows.open(sealedFlow, FLOW_NOW);
    expect(env.codeFlow.exchanges).toMatchObject([{ providerId: 'corp-oidc', rawQuery: 'code=abc&state=s&iss=x', secrets: { state: flow.state, nonce: flow.nonce, verifier: flow.verifier } }]);
  });

  it.each([
    ['no flow at all (the sign-in did not start in this browser)', undefined],
    ['an empty flow value', ''],
    ['a flow value that does not open', 'not-a-flow'],
  ])('refuses a callback with %s: FLOW_INVALID, no code exchanged', async (_name, sealedFlow) => {
    const env = setup();
    await expect(env.signIn.callback({ rawQuery: 'code=abc', sealedFlow, ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'FLOW_INVALID' });
    expect(env.codeFlow.exchanges).toHaveLength(0);
  });

  it('refuses a flow used twice (a replayed callback): REPLAY_DETECTED, the code exchanged once', async () => {
    const env = setup();
    const sealedFlow = await started(env);
    await env.signIn.callback({ rawQuery: 'code=abc', sealedFlow, ctx: CTX, now: FLOW_NOW });
    await expect(env.signIn.callback({ rawQuery: 'code=def', sealedFlow, ctx: CTX, now: FLOW_NOW })).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
    expect(env.codeFlow.exchanges).toHaveLength(1);
  });

  it('refuses an expired flow: FLOW_INVALID', async () => {
    const env = setup();
    const sealedFlow = await started(env);
    const late = new Date(FLOW_NOW.getTime() + OIDC_FLOW_SECONDS * 1000);
    await expect(env.signIn.callback({ rawQuery: 'code=abc', sealedFlow, ctx: CTX, now: late })).rejects.toMatchObject({ code: 'FLOW_INVALID' });
  });
});
