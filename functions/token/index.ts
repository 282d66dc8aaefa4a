// POST /token: RFC 8693 token exchange — a subject token in, credential_process-compatible credentials out.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'token', entryUrl: import.meta.url });

export const handler = brokerHandler('api', composeTokenRoutes(broker, samlSubjectBeside(import.meta.url)), broker);
