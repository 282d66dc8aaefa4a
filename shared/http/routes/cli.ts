// The routes of CLI sign-in (docs/cli.md): the authorization endpoint and the device verification pages (HTML), the
// device authorization, token, console and revocation endpoints (JSON). Without `broker.cli` in the config every one
// of them is NOT_FOUND.

import { randomBytes } from 'node:crypto';
import type { AuthorizeOutcome, BrowserProvider } from '../../flows/cli-authorize.ts';
import type { ConfirmOutcome, DeviceFlow } from '../../flows/cli-device.ts';
import type { Sessions } from '../../flows/cli-session.ts';
import type { CliSignInRequest } from '../../flows/cli-sign-in.ts';
import type { CliToken, TokenParams } from '../../flows/cli-token.ts';
import type { createCliConsole } from '../../flows/cli-console.ts';
import { BrokerError } from '../../errors.ts';
import type { Sealer } from '../../stores/seal.ts';
import { continueToProviderPage, devicePage, deviceDeniedPage, providerChoicePage } from '../cli-pages.ts';
import { readCookie, setCookie } from '../cookies.ts';
import { bodyParams, headerOnce, queryParams, requestContextOf, type Params } from '../decode.ts';
import { statusOf, type Channel } from '../error-response.ts';
import type { HttpEvent, RouteHandler } from '../handler.ts';
import { json, redirect, type HttpResult } from '../responses.ts';
import { CLI_REQUEST_COOKIE, CLI_REQUEST_SECONDS, type BrowserSettings } from './browser.ts';
import { router } from './router.ts';

/** The cookie that binds the device page's confirmation form to the browser that loaded it. */
const DEVICE_COOKIE = 'fb_dev';
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

export interface CliRoutes {
  readonly authorize: (params: Record<string, string | undefined>) => AuthorizeOutcome;
  readonly device: DeviceFlow;
  readonly token: CliToken;
  readonly console: ReturnType<typeof createCliConsole>;
  readonly sessions: Sessions;
  readonly requests: Sealer<CliSignInRequest>;
  readonly browser: BrowserSettings;
}

/** Pages for a browser, JSON for the CLI: how each route's refusals are shown. */
const PAGE_ROUTES = new Set(['GET /cli/authorize', 'GET /cli/device', 'POST /cli/device/confirm']);
export const cliChannel = (event: HttpEvent): Channel => (typeof event?.routeKey === 'string' && PAGE_ROUTES.has(event.routeKey) ? 'page' : 'cli');

const get = (params: Params, ...names: string[]): Record<string, string | undefined> => Object.fromEntries(names.map((n) => [n, params.get(n)]));

/** The provider's own login, with the sealed CLI request in a cookie that only this browser holds. */
const providerLogin = (provider: BrowserProvider, request: CliSignInRequest, requests: Sealer<CliSignInRequest>, browser: BrowserSettings): { href: string; cookie: string } => {
  const sealed = requests.seal(request, new Date(Date.now() + CLI_REQUEST_SECONDS * 1000));
  return {
    href: `/${provider.type}/login?provider=${encodeURIComponent(provider.id)}&cli=1`,
    cookie: setCookie(CLI_REQUEST_COOKIE, sealed, { secure: browser.secure, sameSite: 'Lax', maxAgeSeconds: CLI_REQUEST_SECONDS }),
  };
};

/** Continue at the provider's own login (from /cli/authorize, a plain navigation: a redirect). */
const toProvider = (provider: BrowserProvider, request: CliSignInRequest, requests: Sealer<CliSignInRequest>, browser: BrowserSettings): HttpResult => {
  const { href, cookie } = providerLogin(provider, request, requests, browser);
  return redirect(href, {}, [cookie]);
};

export const cliRoutes = (routes: CliRoutes): RouteHandler => {
  const { browser } = routes;

  const authorize: RouteHandler = async (event) => {
    const query = queryParams(event);
    const outcome = routes.authorize(get(query, 'response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'provider'));
    switch (outcome.kind) {
      case 'error-redirect':
        return redirect(outcome.url);
      case 'sign-in':
        return toProvider(outcome.provider, outcome.request, routes.requests, browser);
      case 'choose': {
        const base = new URLSearchParams([...query].filter(([k]) => k !== 'provider'));
        return providerChoicePage(outcome.providers, (p) => `/cli/authorize?${base.toString()}&provider=${encodeURIComponent(p.id)}`);
      }
    }
  };

  const devicePageRoute: RouteHandler = async (event) => {
    const existing = readCookie(event, DEVICE_COOKIE, browser.secure);
    const browserId = existing !== undefined && BROWSER_ID.test(existing) ? existing : randomBytes(32).toString('base64url');
    const shown = routes.device.page(queryParams(event).get('user_code'), browserId, new Date());
    // Strict: a cross-site form post never carries it, so a forged confirmation finds no browser to match.
    return devicePage(shown, { cookies: [setCookie(DEVICE_COOKIE, browserId, { secure: browser.secure, sameSite: 'Strict', maxAgeSeconds: 600 })] });
  };

  const confirm: RouteHandler = async (event, context) => {
    const form = bodyParams(event, { json: false });
    const choice = form.get('choice') ?? '';
    const [decision, provider] = choice.startsWith('approve:') ? ['approve', choice.slice('approve:'.length)] : [choice, undefined];
    const browserId = readCookie(event, DEVICE_COOKIE, browser.secure);
    let outcome: ConfirmOutcome;
    try {
      outcome = await routes.device.confirm(
        { userCode: form.get('user_code'), confirmToken: form.get('confirm_token'), decision, provider },
        browserId,
        requestContextOf(event, context.awsRequestId),
        new Date(),
      );
    } catch (error) {
      // A wrong code is answered with the form again (and the reason), so that the person can correct it.
      if (error instanceof BrokerError && (error.code === 'USER_CODE_INVALID' || error.code === 'TOO_MANY_ATTEMPTS') && browserId !== undefined) {
        const shown = routes.device.page(undefined, browserId, new Date());
        return devicePage({ ...shown, problem: error.code === 'TOO_MANY_ATTEMPTS' ? 'Too many wrong codes from your network: wait a minute, then try again.' : 'That code is unknown, already used or expired. Check the code in your terminal.' }, { status: statusOf(error.code, 'page') });
      }
      throw error;
    }
    if (outcome.kind === 'denied') return deviceDeniedPage(outcome.userCode, 'cancelled');
    // A page, not a redirect: the confirmation is a form, and its redirects may not leave the origin (CSP form-action).
    const { href, cookie } = providerLogin(outcome.provider, outcome.request, routes.requests, browser);
    return continueToProviderPage(outcome.provider, href, { cookies: [cookie] });
  };

  return router({
    'GET /cli/authorize': authorize,
    'POST /cli/device': async (event, context) => {
      const params = bodyParams(event);
      return json(200, await routes.device.start({ clientId: params.get('client_id'), provider: params.get('provider') }, requestContextOf(event, context.awsRequestId), new Date()));
    },
    'GET /cli/device': devicePageRoute,
    'POST /cli/device/confirm': confirm,
    'POST /cli/token': async (event, context) => {
      const params = bodyParams(event);
      const tokenParams: TokenParams = get(params, 'grant_type', 'client_id', 'code', 'redirect_uri', 'code_verifier', 'device_code');
      return json(200, await routes.token(tokenParams, headerOnce(event, 'dpop'), requestContextOf(event, context.awsRequestId), new Date()));
    },
    'POST /cli/console': async (event, context) => {
      const params = bodyParams(event);
      return json(200, await routes.console(get(params, 'session', 'role', 'destination'), headerOnce(event, 'dpop'), requestContextOf(event, context.awsRequestId), new Date()));
    },
    'POST /cli/revoke': async (event, context) => {
      // RFC 7009 §2.2: 200 whatever the token (an unknown one reveals nothing).
      await routes.sessions.revoke(bodyParams(event).get('token'), requestContextOf(event, context.awsRequestId), new Date());
      return json(200, {});
    },
  });
};

/** Every /cli route when CLI sign-in is not enabled. */
export const cliDisabled: RouteHandler = async () => {
  throw new BrokerError('NOT_FOUND', 'CLI sign-in is not enabled (broker.cli)');
};
