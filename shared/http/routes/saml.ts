// GET /saml/metadata, GET /saml/login, POST /saml/acs: the SAML service provider's routes. The flow value of an
// SP-initiated sign-in travels in a cookie; the ACS response is rendered as every browser sign-in is.

import { SAML_FLOW_SECONDS, type SamlSignIn } from '../../flows/saml-sign-in.ts';
import { loopbackReturnPage } from '../cli-pages.ts';
import { clearCookie, readCookie, setCookie } from '../cookies.ts';
import { bodyParams, queryParams, requestContextOf } from '../decode.ts';
import { redirect, text } from '../responses.ts';
import { browserIdOf, CLI_REQUEST_COOKIE, cliCleared, renderSignIn, type BrowserSettings } from './browser.ts';
import { router } from './router.ts';

const FLOW_COOKIE = 'fb_saml';

export interface SamlRoutes {
  readonly signIn: SamlSignIn;
  /** The SP metadata document, written once at cold start. */
  readonly metadataXml: string;
  readonly browser: BrowserSettings;
}

export const samlRoutes = ({ signIn, metadataXml, browser }: SamlRoutes) =>
  router({
    'GET /saml/metadata': async () => text(200, metadataXml, 'application/samlmetadata+xml; charset=utf-8', { 'cache-control': 'public, max-age=3600' }),

    'GET /saml/login': async (event) => {
      const query = queryParams(event);
      const { location, sealedFlow } = signIn.start({ provider: query.get('provider'), role: query.get('role'), target: query.get('target'), destination: query.get('destination'), cli: query.get('cli'), sealedCliRequest: readCookie(event, CLI_REQUEST_COOKIE, browser.secure), now: new Date() });
      // SameSite=None (on https): the IdP answers with a cross-site POST that must still carry this cookie.
      return redirect(location, {}, [setCookie(FLOW_COOKIE, sealedFlow, { secure: browser.secure, sameSite: 'None', maxAgeSeconds: SAML_FLOW_SECONDS }), ...cliCleared(query, browser)]);
    },

    'POST /saml/acs': async (event, context) => {
      const form = bodyParams(event, { json: false });
      const sealedFlow = readCookie(event, FLOW_COOKIE, browser.secure);
      const outcome = await signIn.acs({
        samlResponse: form.get('SAMLResponse'),
        relayState: form.get('RelayState'),
        sealedFlow,
        browserId: browserIdOf(event, browser),
        ctx: requestContextOf(event, context.awsRequestId),
        now: new Date(),
      });
      const cookies = sealedFlow ? [clearCookie(FLOW_COOKIE, browser.secure)] : [];
      // The IdP's page posted here, and the redirects after a form post are held to that page's CSP form-action, which
      // names our ACS, not the CLI's loopback listener: a page that moves on by itself starts a new navigation instead.
      if (outcome.kind === 'cli-redirect') return loopbackReturnPage(outcome.url, cookies);
      return renderSignIn(outcome, browser, cookies);
    },
  });
