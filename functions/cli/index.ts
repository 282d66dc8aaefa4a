// /cli/*: sign-in for the `fbroker` CLI — authorization and device grants, DPoP-bound broker sessions, the console
// and revocation endpoints (docs/cli.md). Pages for the browser, JSON for the CLI.
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeCliRoutes } from '../../shared/compose/cli.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { cliChannel } from '../../shared/http/routes/cli.ts';

const modules = modulesBeside(import.meta.url);
const broker = await composeFromEnvironment(modules, { function: 'cli' });

export const handler = brokerHandler(cliChannel, composeCliRoutes(broker), broker);
