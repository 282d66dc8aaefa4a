// POST /token: RFC 8693 token exchange — a subject token in, credential_process-compatible credentials out.
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeTokenExchange } from '../../shared/compose/token.ts';
import { decodeTokenRequest } from '../../shared/flows/token-request.ts';
import { bodyParams, requestContextOf } from '../../shared/http/decode.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { json } from '../../shared/http/responses.ts';

const exchange = await composeTokenExchange(samlSubjectBeside(import.meta.url));

export const handler = brokerHandler('api', async (event, context) =>
  json(200, await exchange(decodeTokenRequest(bodyParams(event)), requestContextOf(event, context.awsRequestId))),
);
