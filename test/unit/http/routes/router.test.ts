// Path + method → route: API Gateway's route key decides; an event for any other route is NOT_FOUND, never a guess.

import { describe, expect, it } from 'vitest';
import type { HttpEvent } from '../../../../shared/http/handler.ts';
import { json } from '../../../../shared/http/responses.ts';
import { router } from '../../../../shared/http/routes/router.ts';
import { httpApiEvent, lambdaContext } from '../../../../tools/lib/lambda-events.ts';

const routes = router({
  'GET /saml/metadata': async () => json(200, { route: 'metadata' }),
  'POST /saml/acs': async () => json(200, { route: 'acs' }),
});
const context = lambdaContext({ functionName: 'SamlFunction' });
const answer = async (event: HttpEvent): Promise<unknown> => JSON.parse((await routes(event, context)).body ?? '');

describe('router', () => {
  it('answers by the route key API Gateway matched', async () => {
    expect(await answer(httpApiEvent('/saml/acs', { body: 'SAMLResponse=x' }))).toEqual({ route: 'acs' });
    expect(await answer(httpApiEvent('/saml/metadata'))).toEqual({ route: 'metadata' });
  });

  it('takes the route key over the raw path (the key is what API Gateway routed on)', async () => {
    expect(await answer(httpApiEvent('/saml/acs/extra', { method: 'POST', routeKey: 'POST /saml/acs' }))).toEqual({ route: 'acs' });
  });

  it('falls back to method and path for an event without a route key (a direct invoke)', async () => {
    expect(await answer({ ...httpApiEvent('/saml/metadata'), routeKey: '' })).toEqual({ route: 'metadata' });
  });

  it.each([
    ['another path', httpApiEvent('/saml/other')],
    ['another method on a known path', httpApiEvent('/saml/acs', { method: 'GET' })],
    ['the catch-all route key', httpApiEvent('/saml/acs', { method: 'POST', routeKey: '$default' })],
    ['a route key named like an Object.prototype member', httpApiEvent('/x', { routeKey: 'constructor' })],
    ['a route key named __proto__', httpApiEvent('/x', { routeKey: '__proto__' })],
  ])('refuses %s: NOT_FOUND', async (_name, event) => {
    await expect((async () => routes(event, context))()).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
