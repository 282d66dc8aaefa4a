// Composition of the SAML function: GET /saml/metadata, GET /saml/login (SP-initiated), POST /saml/acs.
// The AuthnRequest ID travels in a sealed flow cookie and is matched once against the signed InResponseTo.

import { randomUUID } from 'node:crypto';
import { loadConfig, type BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { checkIntent, isSecure, type BrowserIntent } from '../flows/browser-session.ts';
import { fromSamlIdentity } from '../flows/identity.ts';
import { clearCookie, readCookie, setCookie } from '../http/cookies.ts';
import { bodyParams, queryParams, requestContextOf } from '../http/decode.ts';
import type { HttpEvent } from '../http/handler.ts';
import { redirect, text, type HttpResult } from '../http/responses.ts';
import { isConsoleUrl } from '../issuance/console.ts';
import { buildLoginRedirect, samlProvidersOf, spMetadataXml, spSettingsOf, validateSamlResponse } from '../saml/index.ts';
import { composeBrowserSession, sealerFor } from './browser.ts';
import { replayStore } from './clients.ts';

const FLOW_COOKIE = 'fb_saml';
const FLOW_SECONDS = 600;

/**
 * RelayState of an IdP-initiated response: nothing, the broker itself, or an AWS console URL (a deep link the
 * IdP tile carries). Anything else is refused rather than followed (open redirect).
 */
export const relayDestination = (config: BrokerConfig, relayState: string | undefined): string | undefined => {
  if (relayState === undefined || relayState === '') return undefined;
  if (isConsoleUrl(relayState)) return relayState;
  try {
    if (new URL(relayState).origin === new URL(config.broker.baseUrl).origin) return undefined;
  } catch {
    // not a URL: refused below
  }
  throw new BrokerError('DESTINATION_NOT_ALLOWED', 'RelayState is neither an AWS console URL nor the broker');
};

interface SamlFlow {
  readonly provider: string;
  readonly requestId: string;
  readonly intent: BrowserIntent;
}

export const composeSamlRoutes = async () => {
  const config = await loadConfig();
  const secure = isSecure(config);
  const providers = samlProvidersOf(config);
  const sp = spSettingsOf(config);
  const metadata = spMetadataXml(sp);
  const sealer = sealerFor(config);
  const replay = replayStore();
  const session = await composeBrowserSession();

  const login = (event: HttpEvent, now: Date): HttpResult => {
    const query = queryParams(event);
    const id = query.get('provider');
    const provider = id !== undefined && Object.hasOwn(providers, id) ? providers[id] : undefined;
    if (!id || !provider) throw new BrokerError('UNKNOWN_PROVIDER', 'no SAML provider by that id');
    const intent = checkIntent({ role: query.get('role'), target: query.get('target'), destination: query.get('destination') });
    const { url, requestId } = buildLoginRedirect(provider, sp);
    const flow: SamlFlow = { provider: id, requestId, intent };
    const sealed = sealer.seal('saml-flow', flow as unknown as Record<string, unknown>, new Date(now.getTime() + FLOW_SECONDS * 1000));
    // SameSite=None (on https): the IdP answers with a cross-site POST that must still carry this cookie.
    return redirect(url, {}, [setCookie(FLOW_COOKIE, sealed, { secure, sameSite: 'None', maxAgeSeconds: FLOW_SECONDS })]);
  };

  const acs = async (event: HttpEvent, requestId: string, now: Date): Promise<HttpResult> => {
    const form = bodyParams(event, { json: false });
    const samlResponse = form.get('SAMLResponse');
    if (!samlResponse) throw new BrokerError('SAML_INVALID', 'no SAMLResponse in the form');
    const sealed = readCookie(event, FLOW_COOKIE, secure);
    let flow: SamlFlow | undefined;
    if (sealed) {
      flow = sealer.open('saml-flow', sealed, now, 'FLOW_INVALID') as unknown as SamlFlow;
      // The AuthnRequest is answered once, whatever the response says.
      await replay.claimOnce(`saml-request:${flow.requestId}`, new Date(now.getTime() + FLOW_SECONDS * 1000));
    }
    const identity = await validateSamlResponse(
      { samlResponse },
      {
        providers,
        spEntityId: sp.entityId,
        acsUrl: sp.acsUrl,
        now,
        clockSkewSeconds: config.broker.clockSkewSeconds,
        maxAssertionAgeSeconds: config.broker.maxAssertionAgeSeconds,
        expectedInResponseTo: flow?.requestId,
        replay,
      },
    );
    if (flow && flow.provider !== identity.providerId) throw new BrokerError('IN_RESPONSE_TO_MISMATCH', 'the response comes from another provider than the request');
    const intent: BrowserIntent = flow?.intent ?? { destination: relayDestination(config, form.get('RelayState')) };
    const result = await session.afterSignIn(fromSamlIdentity(identity, now), requestContextOf(event, requestId), event, intent, identity.sessionNotOnOrAfter);
    return sealed ? { ...result, cookies: [...(result.cookies ?? []), clearCookie(FLOW_COOKIE, secure)] } : result;
  };

  return async (event: HttpEvent, requestId: string = randomUUID()): Promise<HttpResult> => {
    const now = new Date();
    switch (event.rawPath) {
      case '/saml/metadata':
        return text(200, metadata, 'application/samlmetadata+xml; charset=utf-8', { 'cache-control': 'public, max-age=3600' });
      case '/saml/login':
        return login(event, now);
      default:
        return acs(event, requestId, now);
    }
  };
};
