// exec and serve: the container-credentials endpoint, fed by the same cache and exchange as `credentials`.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { flag, integerOption, stringOption, type ParsedOptions } from '../args.ts';
import { getCredentials } from '../credentials.ts';
import { startCredentialsEndpoint, type RunningEndpoint } from '../endpoint.ts';
import { CliError, renderError } from '../errors.ts';
import type { Context } from '../session.ts';
import { setInterruptHandler } from '../signals.ts';
import { durationOption } from './credential-commands.ts';

/** Variables that AWS SDKs would prefer over the endpoint (their credential chains look at these first). */
const SHADOWING_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

const startEndpoint = async (ctx: Context, options: ParsedOptions, port?: number): Promise<RunningEndpoint> => {
  const request = { role: stringOption(options, 'role')!, duration: durationOption(options), allowLogin: !flag(options, 'no-login') };
  const source = () => getCredentials(ctx, request);
  // Sign in and fetch before anything runs: a refusal shows now, not inside the first SDK call.
  await source();
  return startCredentialsEndpoint({
    source,
    now: ctx.now,
    ...(port === undefined ? {} : { port }),
    onError: (error) => ctx.io.err(error instanceof CliError ? renderError(error) : 'fbroker: could not renew the credentials'),
  });
};

export const exec = async (ctx: Context, options: ParsedOptions, commandLine: readonly string[], env: NodeJS.ProcessEnv): Promise<number> => {
  const endpoint = await startEndpoint(ctx, options);
  const childEnv: NodeJS.ProcessEnv = { ...env, AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url, AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token };
  for (const name of SHADOWING_VARIABLES) delete childEnv[name];
  const [command, ...args] = commandLine;
  const child = spawn(command!, args, { stdio: 'inherit', env: childEnv });
  // Ctrl-C from the terminal reaches the child directly (same process group): passing SIGINT on as well would be a
  // second Ctrl-C, which tools such as terraform take as "abort now". Other signals are passed on. Then we wait.
  setInterruptHandler((signal) => {
    if (signal !== 'SIGINT') child.kill(signal);
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new CliError('COMMAND_NOT_FOUND', `${command}: command not found`) : error),
      );
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))));
    });
  } finally {
    await endpoint.close();
  }
};

export const serve = async (ctx: Context, options: ParsedOptions): Promise<number> => {
  const endpoint = await startEndpoint(ctx, options, integerOption(options, 'port', 1, 65535));
  const stopped = new Promise<void>((resolve) => setInterruptHandler(() => resolve()));
  // The two lines a shell, a container (docker run --network host -e …) or an IDE needs; the token is a secret.
  ctx.io.out(`export AWS_CONTAINER_CREDENTIALS_FULL_URI=${endpoint.url}\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=${endpoint.token}\n`);
  ctx.io.err(`fbroker: serving credentials for ${stringOption(options, 'role')} on 127.0.0.1:${endpoint.port} until Ctrl-C`);
  await stopped;
  await endpoint.close();
  ctx.io.err('fbroker: stopped');
  return 0;
};
