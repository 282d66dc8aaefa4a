// GET /oidc/login and GET /oidc/callback: OIDC browser sign-in's routes. The flow value travels in a cookie from
// the login redirect to the callback and is cleared there.

import { OIDC_FLOW_SECONDS, type OidcSignIn } from '../../flows/oidc-sign-in.ts';
import { clearCookie, readCookie, setCookie } from '../cookies.ts';
import { queryParams, requestContextOf } from '../decode.ts';
import { redirect } from '../responses.ts';
import { browserIdOf, CLI_REQUEST_COOKIE, cliCleared, renderSignIn, type BrowserSettings } from './browser.ts';
import { router } from './router.ts';

const FLOW_COOKIE = 'fb_oidc';

export interface OidcRoutes {
  readonly signIn: OidcSignIn;
  readonly browser: BrowserSettings;
}

export const oidcRoutes = ({ signIn, browser }: OidcRoutes) =>
  router({
    'GET /oidc/login': async (event) => {
      const query = queryParams(event);
      const { location, sealedFlow } = await signIn.start({ provider: query.get('provider'), role: query.get('role'), target: query.get('target'), destination: query.get('destination'), cli: query.get('cli'), sealedCliRequest: readCookie(event, CLI_REQUEST_COOKIE, browser.secure), now: new Date() });
      // Lax: the callback is a top-level GET navigation back from the IdP.
      return redirect(location, {}, [setCookie(FLOW_COOKIE, sealedFlow, { secure: browser.secure, sameSite: 'Lax', maxAgeSeconds: OIDC_FLOW_SECONDS }), ...cliCleared(query, browser)]);
    },

    'GET /oidc/callback': async (event, context) => {
      const outcome = await signIn.callback({
        rawQuery: event.rawQueryString ?? '',
        sealedFlow: readCookie(event, FLOW_COOKIE, browser.secure),
        browserId: browserIdOf(event, browser),
        ctx: requestContextOf(event, context.awsRequestId),
        now: new Date(),
      });
      return renderSignIn(outcome, browser, [clearCookie(FLOW_COOKIE, browser.secure)]);
    },
  });
