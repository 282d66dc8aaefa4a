// Composition of the OIDC browser function: GET /oidc/login and GET /oidc/callback.

import { loadConfig } from '../config/index.ts';
import { checkIntent, isSecure } from '../flows/browser-session.ts';
import { clearCookie, readCookie, setCookie } from '../http/cookies.ts';
import { queryParams, requestContextOf } from '../http/decode.ts';
import type { HttpEvent } from '../http/handler.ts';
import { redirect, type HttpResult } from '../http/responses.ts';
import { createOidcVerifier } from '../oidc/index.ts';
import { createOidcLogin, FLOW_SECONDS } from '../oidc/login.ts';
import { composeBrowserSession, sealerFor } from './browser.ts';
import { replayStore } from './clients.ts';

const FLOW_COOKIE = 'fb_oidc';

export const composeOidcRoutes = async () => {
  const config = await loadConfig();
  const secure = isSecure(config);
  const login = createOidcLogin({ config, sealer: sealerFor(config), replay: replayStore(), verifier: createOidcVerifier(config, { replay: replayStore() }) });
  const session = await composeBrowserSession();

  return async (event: HttpEvent, requestId: string): Promise<HttpResult> => {
    const now = new Date();
    const query = queryParams(event);
    if (event.rawPath === '/oidc/login') {
      const intent = checkIntent({ role: query.get('role'), target: query.get('target'), destination: query.get('destination') });
      const { location, flow } = await login.start(query.get('provider'), intent, now);
      // Lax: the callback is a top-level GET navigation back from the IdP.
      return redirect(location, {}, [setCookie(FLOW_COOKIE, flow, { secure, sameSite: 'Lax', maxAgeSeconds: FLOW_SECONDS })]);
    }
    const { identity, intent } = await login.finish(readCookie(event, FLOW_COOKIE, secure), event.rawQueryString ?? '', now);
    const result = await session.afterSignIn(identity, requestContextOf(event, requestId), event, intent);
    return { ...result, cookies: [...(result.cookies ?? []), clearCookie(FLOW_COOKIE, secure)] };
  };
};
