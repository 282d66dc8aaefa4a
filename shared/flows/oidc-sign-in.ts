// OIDC browser sign-in as values: GET /oidc/login starts an authorization code flow whose secrets (state, nonce,
// PKCE verifier) travel in a sealed flow value consumed once; GET /oidc/callback exchanges the code and continues
// as every browser sign-in does.

import { fromOidc } from '../identity/verified-identity.ts';
import { newCodeFlowSecrets, type CodeFlowSecrets, type OidcCodeFlow } from '../oidc/login.ts';
import type { RequestContext } from '../request.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { Sealer } from '../stores/seal.ts';
import { BrokerError } from '../errors.ts';
import { checkIntent, parseIntent, type BrowserIntent, type BrowserSignIn, type LoginRequest, type SignInOutcome } from './browser-sign-in.ts';
import { cliRequestOf, parseCliSignInRequest, type CliSignInOutcome, type CliSignInRequest, type CliSignInSupport } from './cli-sign-in.ts';

export const OIDC_FLOW_SECONDS = 600;

/** What the sealed OIDC flow value carries between GET /oidc/login and GET /oidc/callback. */
export interface OidcFlowState extends CodeFlowSecrets {
  readonly provider: string;
  readonly intent: BrowserIntent;
  /** A sign-in for the CLI (docs/cli.md): it ends with a code or a device approval instead of the picker. */
  readonly cli?: CliSignInRequest | undefined;
}

export interface OidcSignInDeps {
  readonly codeFlow: OidcCodeFlow;
  readonly flows: Sealer<OidcFlowState>;
  readonly replay: ReplayStore;
  readonly browser: BrowserSignIn;
  /** CLI sign-in, when enabled (broker.cli). */
  readonly cli?: CliSignInSupport | undefined;
}

export interface CallbackRequest {
  /** The callback's query string as received (code, state, iss, or an error). */
  readonly rawQuery: string;
  readonly sealedFlow?: string | undefined;
  readonly browserId?: string | undefined;
  readonly ctx: RequestContext;
  readonly now: Date;
}

export const createOidcSignIn = (deps: OidcSignInDeps) => {
  /** GET /oidc/login: the IdP's authorization URL, and the sealed flow value to keep until the callback. */
  const start = async (request: LoginRequest): Promise<{ readonly location: string; readonly sealedFlow: string }> => {
    const { id } = deps.codeFlow.provider(request.provider);
    const intent = checkIntent(request);
    const cli = cliRequestOf(deps.cli, request);
    const secrets = newCodeFlowSecrets();
    const location = await deps.codeFlow.authorizationUrl(id, secrets);
    const sealedFlow = deps.flows.seal({ provider: id, intent, cli, ...secrets }, new Date(request.now.getTime() + OIDC_FLOW_SECONDS * 1000));
    return { location, sealedFlow };
  };

  /** GET /oidc/callback: the flow of this browser, spent once; the code exchanged; then the picker. */
  const callback = async (request: CallbackRequest): Promise<SignInOutcome | CliSignInOutcome> => {
    const { now } = request;
    if (!request.sealedFlow) throw new BrokerError('FLOW_INVALID', 'no flow cookie: the sign-in did not start in this browser');
    const flow = deps.flows.open(request.sealedFlow, now);
    // The flow answers one callback only (a replayed callback URL or code finds it spent).
    await deps.replay.claimOnce(`oidc-flow:${flow.state}`, new Date(now.getTime() + OIDC_FLOW_SECONDS * 1000));
    const verified = await deps.codeFlow.exchange(flow.provider, request.rawQuery, flow, now);
    if (flow.cli && deps.cli) return deps.cli.signIn.complete(fromOidc(verified), flow.cli, request.ctx, now);
    return deps.browser.afterSignIn({ identity: fromOidc(verified), intent: flow.intent, ctx: request.ctx, browserId: request.browserId });
  };

  return { start, callback };
};

export type OidcSignIn = ReturnType<typeof createOidcSignIn>;

/** The flow value's shape, read back from its sealed form. */
export const parseOidcFlow = (value: unknown): OidcFlowState | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { provider, state, nonce, verifier } = value as Record<string, unknown>;
  if (typeof provider !== 'string' || typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string') return undefined;
  const intent = parseIntent((value as Record<string, unknown>).intent);
  const rawCli = (value as Record<string, unknown>).cli;
  const cli = rawCli === undefined ? undefined : parseCliSignInRequest(rawCli);
  if (rawCli !== undefined && cli === undefined) return undefined;
  return intent && { provider, state, nonce, verifier, intent, cli };
};
