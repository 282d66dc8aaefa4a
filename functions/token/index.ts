// POST /token: RFC 8693 token exchange — a subject token in, credential_process-compatible credentials out.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

export const handler = brokerHandler('api', composeTokenRoutes(await composeFromEnvironment(), samlSubjectBeside(import.meta.url)));
