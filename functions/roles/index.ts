// POST /roles: the roles a subject token may assume.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeRolesRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

export const handler = brokerHandler('api', composeRolesRoutes(await composeFromEnvironment(), samlSubjectBeside(import.meta.url)));
