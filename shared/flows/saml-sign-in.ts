// SAML browser sign-in as values: GET /saml/login (SP-initiated) starts a flow whose AuthnRequest ID travels in a
// sealed flow value; POST /saml/acs validates the posted response — matched once against that request, or
// unsolicited where the provider allows it — and continues as every browser sign-in does.

import { BrokerError } from '../errors.ts';
import { fromSaml } from '../identity/verified-identity.ts';
import { isConsoleUrl } from '../issuance/console.ts';
import type { RequestContext } from '../request.ts';
import { buildLoginRedirect, validateSamlResponse, type SamlProviderRuntime, type SpSettings } from '../saml/index.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { Sealer } from '../stores/seal.ts';
import { checkIntent, parseIntent, type BrowserIntent, type BrowserSignIn, type LoginRequest, type SignInOutcome } from './browser-sign-in.ts';
import { cliRequestOf, parseCliSignInRequest, type CliSignInOutcome, type CliSignInRequest, type CliSignInSupport } from './cli-sign-in.ts';

export const SAML_FLOW_SECONDS = 600;

/** What the sealed SAML flow value carries between GET /saml/login and POST /saml/acs. */
export interface SamlFlowState {
  readonly provider: string;
  /** The AuthnRequest ID, expected back as InResponseTo. */
  readonly requestId: string;
  readonly intent: BrowserIntent;
  /** A sign-in for the CLI (docs/cli.md): it ends with a code or a device approval instead of the picker. */
  readonly cli?: CliSignInRequest | undefined;
}

export interface SamlSignInDeps {
  readonly baseUrl: string;
  readonly clockSkewSeconds: number;
  readonly maxAssertionAgeSeconds: number;
  readonly providers: Readonly<Record<string, SamlProviderRuntime>>;
  readonly sp: SpSettings;
  readonly flows: Sealer<SamlFlowState>;
  readonly replay: ReplayStore;
  readonly browser: BrowserSignIn;
  /** CLI sign-in, when enabled (broker.cli). */
  readonly cli?: CliSignInSupport | undefined;
}

export interface AcsRequest {
  readonly samlResponse?: string | undefined;
  readonly relayState?: string | undefined;
  /** The sealed flow value of an SP-initiated sign-in started in this browser, if any. */
  readonly sealedFlow?: string | undefined;
  readonly browserId?: string | undefined;
  readonly ctx: RequestContext;
  readonly now: Date;
}

/**
 * RelayState of an IdP-initiated response: nothing, the broker itself, or an AWS console URL (a deep link the
 * IdP tile carries). Anything else is refused rather than followed (open redirect).
 */
export const relayDestination = (baseUrl: string, relayState: string | undefined): string | undefined => {
  if (relayState === undefined || relayState === '') return undefined;
  if (isConsoleUrl(relayState)) return relayState;
  if (URL.parse(relayState)?.origin === new URL(baseUrl).origin) return undefined;
  throw new BrokerError('DESTINATION_NOT_ALLOWED', 'RelayState is neither an AWS console URL nor the broker');
};

export const createSamlSignIn = (deps: SamlSignInDeps) => {
  /** GET /saml/login: the IdP's URL with an AuthnRequest, and the sealed flow value to keep until the response. */
  const start = (request: LoginRequest): { readonly location: string; readonly sealedFlow: string } => {
    const id = request.provider;
    const provider = id !== undefined && Object.hasOwn(deps.providers, id) ? deps.providers[id] : undefined;
    if (id === undefined || !provider) throw new BrokerError('UNKNOWN_PROVIDER', 'no SAML provider by that id');
    const intent = checkIntent(request);
    const cli = cliRequestOf(deps.cli, request);
    const { url, requestId } = buildLoginRedirect(provider, deps.sp);
    const sealedFlow = deps.flows.seal({ provider: id, requestId, intent, cli }, new Date(request.now.getTime() + SAML_FLOW_SECONDS * 1000));
    return { location: url, sealedFlow };
  };

  /** POST /saml/acs: the response validated (against this browser's request, if it made one), then the picker. */
  const acs = async (request: AcsRequest): Promise<SignInOutcome | CliSignInOutcome> => {
    const { now } = request;
    if (!request.samlResponse) throw new BrokerError('SAML_INVALID', 'no SAMLResponse in the form');
    let flow: SamlFlowState | undefined;
    if (request.sealedFlow) {
      flow = deps.flows.open(request.sealedFlow, now);
      // The AuthnRequest is answered once, whatever the response says.
      await deps.replay.claimOnce(`saml-request:${flow.requestId}`, new Date(now.getTime() + SAML_FLOW_SECONDS * 1000));
    }
    const identity = await validateSamlResponse(
      { samlResponse: request.samlResponse },
      {
        providers: deps.providers,
        spEntityId: deps.sp.entityId,
        acsUrl: deps.sp.acsUrl,
        now,
        clockSkewSeconds: deps.clockSkewSeconds,
        maxAssertionAgeSeconds: deps.maxAssertionAgeSeconds,
        expectedInResponseTo: flow?.requestId,
        replay: deps.replay,
      },
    );
    // Provider confusion: a response from another IdP than the one this browser was sent to.
    if (flow && flow.provider !== identity.providerId) throw new BrokerError('IN_RESPONSE_TO_MISMATCH', 'the response comes from another provider than the request');
    // Only a flow this browser started can carry a CLI request: an unsolicited response never signs a CLI in.
    if (flow?.cli && deps.cli) return deps.cli.signIn.complete(fromSaml(identity), flow.cli, request.ctx, now);
    const intent: BrowserIntent = flow?.intent ?? { destination: relayDestination(deps.baseUrl, request.relayState) };
    return deps.browser.afterSignIn({ identity: fromSaml(identity), intent, ctx: request.ctx, browserId: request.browserId });
  };

  return { start, acs };
};

export type SamlSignIn = ReturnType<typeof createSamlSignIn>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The flow value's shape, read back from its sealed form. */
export const parseSamlFlow = (value: unknown): SamlFlowState | undefined => {
  if (!isRecord(value) || typeof value.provider !== 'string' || typeof value.requestId !== 'string') return undefined;
  const intent = parseIntent(value.intent);
  const cli = value.cli === undefined ? undefined : parseCliSignInRequest(value.cli);
  if (value.cli !== undefined && cli === undefined) return undefined;
  return intent && { provider: value.provider, requestId: value.requestId, intent, cli };
};
