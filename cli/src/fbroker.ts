// Entry point of the fbroker command (built into one file by `npm run build:cli`; docs/cli.md).

import { CliError, renderError } from './errors.ts';
import { main } from './main.ts';
import { processOutput } from './output.ts';
import { installSignalHandlers } from './signals.ts';

installSignalHandlers((signal) => processOutput.err(renderError(new CliError('INTERRUPTED', `stopped by ${signal}; nothing half-written was kept`))));
const code = await main(process.argv.slice(2), process.env, processOutput);
// Exit once stdout is flushed: idle keep-alive sockets or an unref'd browser must not hold the process open.
process.stdout.write('', () => process.exit(code));
