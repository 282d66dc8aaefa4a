// POST /roles: the roles a subject token may assume.
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeRoleListing } from '../../shared/compose/token.ts';
import { decodeTokenRequest } from '../../shared/flows/token-request.ts';
import { bodyParams, requestContextOf } from '../../shared/http/decode.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { json } from '../../shared/http/responses.ts';

const listRoles = await composeRoleListing(samlSubjectBeside(import.meta.url));

export const handler = brokerHandler('api', async (event, context) =>
  json(200, await listRoles(decodeTokenRequest(bodyParams(event), { requireGrantType: false }), requestContextOf(event, context.awsRequestId))),
);
