// POST /session: the role picker's form → console sign-in redirect or the CLI credentials page.
import { composeBrowserSession } from '../../shared/compose/browser.ts';
import { bodyParams, requestContextOf } from '../../shared/http/decode.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const session = await composeBrowserSession();

export const handler = brokerHandler('page', async (event, context) =>
  session.completeSession(bodyParams(event, { json: false }), event, requestContextOf(event, context.awsRequestId)),
);
