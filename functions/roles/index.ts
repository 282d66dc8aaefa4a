// POST /roles: the roles a subject token may assume.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeRolesRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

const broker = await composeFromEnvironment({ function: 'roles', entryUrl: import.meta.url });

export const handler = brokerHandler('api', composeRolesRoutes(broker, samlSubjectBeside(import.meta.url)), broker);
