// The fbroker command (docs/cli.md) as a function, for the entry point and the tests. Parses the command line, builds the context, runs
// one command, and turns every failure into one line on stderr with a stable code and an exit status.

import pkg from '../package.json' with { type: 'json' };
import { helpText, parseInvocation } from './args.ts';
import { exec, serve } from './commands/endpoint-commands.ts';
import { consoleCommand, credentials, roles } from './commands/credential-commands.ts';
import { login, logout, status } from './commands/session-commands.ts';
import { CliError, printable, renderError } from './errors.ts';
import type { Output } from './output.ts';
import { buildContext, type Env } from './settings.ts';

export const VERSION: string = pkg.version;

export const main = async (argv: readonly string[], env: Env, io: Output): Promise<number> => {
  try {
    const invocation = parseInvocation(argv);
    if (invocation.kind === 'version') {
      io.out(`fbroker ${VERSION} (Node ${process.version})\n`);
      return 0;
    }
    if (invocation.kind === 'help') {
      io.out(helpText(invocation.command));
      return 0;
    }
    const { command, options, commandLine } = invocation;
    const ctx = buildContext(options, env, io);
    switch (command) {
      case 'login':
        return await login(ctx);
      case 'credentials':
        return await credentials(ctx, options);
      case 'roles':
        return await roles(ctx, options);
      case 'exec':
        return await exec(ctx, options, commandLine, { ...env });
      case 'serve':
        return await serve(ctx, options);
      case 'console':
        return await consoleCommand(ctx, options);
      case 'status':
        return await status(ctx, options);
      case 'logout':
        return await logout(ctx);
    }
  } catch (error) {
    const failure = error instanceof CliError ? error : new CliError('INTERNAL', error instanceof Error ? printable(error.message) : 'unexpected failure');
    io.err(renderError(failure));
    if (failure.code === 'USAGE') io.err('Run `fbroker --help` for usage.');
    return failure.exitCode;
  }
};
