// Command-line parsing: one table of commands and their options, util.parseArgs (strict) per command, help text
// made from the same table. Anything wrong here is a usage error (exit 2).

import { parseArgs } from 'node:util';
import { usageError } from './errors.ts';

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly value?: string; readonly help: string };

const BROKER: Record<string, OptionSpec> = {
  broker: { type: 'string', value: 'URL', help: 'the broker (default: $FBROKER_URL)' },
  help: { type: 'boolean', help: 'show this help' },
};
const SIGN_IN: Record<string, OptionSpec> = {
  provider: { type: 'string', value: 'ID', help: 'sign in through this identity provider (default: the broker asks)' },
  device: { type: 'boolean', help: 'sign in with a code on another device (SSH, no browser here)' },
  'no-browser': { type: 'boolean', help: 'print the sign-in URL instead of opening a browser' },
  'callback-port': { type: 'string', value: 'N', help: 'loopback port for the browser to return to (default: any free port)' },
  timeout: { type: 'string', value: 'S', help: 'give up signing in after S seconds (default 300)' },
};
const NO_LOGIN: Record<string, OptionSpec> = { 'no-login': { type: 'boolean', help: 'fail instead of signing in when there is no usable session' } };
const ROLE: Record<string, OptionSpec> = { role: { type: 'string', value: 'ID', help: 'the role: its id (as `fbroker roles` lists it) or its ARN' } };
const DURATION: Record<string, OptionSpec> = { duration: { type: 'string', value: 'S', help: 'session length in seconds, 900-43200 (default: the broker\'s)' } };
const JSON_OUT: Record<string, OptionSpec> = { json: { type: 'boolean', help: 'one JSON document on stdout' } };

export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly required?: readonly string[];
  /** Takes a command line after `--`. */
  readonly takesCommand?: boolean;
}

export const COMMANDS = {
  login: { summary: 'sign in (browser on this machine, or --device) and keep the session', usage: 'login [--provider ID] [--device] [--no-browser]', options: { ...BROKER, ...SIGN_IN } },
  credentials: {
    summary: 'print credential_process JSON for a role (cached; signs in when needed)',
    usage: 'credentials --role ID [--duration S] [--no-login]',
    options: { ...BROKER, ...ROLE, ...DURATION, ...NO_LOGIN, ...SIGN_IN },
    required: ['role'],
  },
  roles: { summary: 'list the roles your session may assume', usage: 'roles [--json]', options: { ...BROKER, ...JSON_OUT, ...NO_LOGIN, ...SIGN_IN } },
  exec: {
    summary: 'run a command with a credentials endpoint that its AWS SDKs refresh from',
    usage: 'exec --role ID [--duration S] -- CMD [ARGS…]',
    options: { ...BROKER, ...ROLE, ...DURATION, ...NO_LOGIN, ...SIGN_IN },
    required: ['role'],
    takesCommand: true,
  },
  serve: {
    summary: 'serve the credentials endpoint until stopped (containers, IDEs)',
    usage: 'serve --role ID [--port N] [--duration S]',
    options: { ...BROKER, ...ROLE, ...DURATION, port: { type: 'string', value: 'N', help: 'port on 127.0.0.1 (default: any free port)' }, ...NO_LOGIN, ...SIGN_IN },
    required: ['role'],
  },
  console: {
    summary: 'open the AWS console as a role (or print its sign-in URL)',
    usage: 'console --role ID [--destination URL] [--print]',
    options: {
      ...BROKER,
      ...ROLE,
      destination: { type: 'string', value: 'URL', help: 'an AWS console URL to land on' },
      print: { type: 'boolean', help: 'print the sign-in URL (a secret for 15 minutes) instead of opening it' },
      ...NO_LOGIN,
      ...SIGN_IN,
    },
    required: ['role'],
  },
  status: { summary: 'show the session and the cached credentials', usage: 'status [--json]', options: { ...BROKER, ...JSON_OUT } },
  logout: { summary: 'revoke the session at the broker and delete its cache', usage: 'logout', options: BROKER },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export type ParsedOptions = Readonly<Record<string, string | boolean | undefined>>;

export type Invocation =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly command: CommandName; readonly options: ParsedOptions; readonly commandLine: readonly string[] };

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

export const parseInvocation = (argv: readonly string[]): Invocation => {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !isCommand(topic)) throw usageError(`unknown command "${topic}"`);
    return { kind: 'help', ...(topic === undefined ? {} : { command: topic }) };
  }
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (!isCommand(first)) throw usageError(`unknown command "${first}"`);
  const spec: CommandSpec = COMMANDS[first];
  const dashDash = rest.indexOf('--');
  const args = dashDash === -1 ? rest : rest.slice(0, dashDash);
  const commandLine = dashDash === -1 ? [] : rest.slice(dashDash + 1);
  let values: ParsedOptions;
  try {
    ({ values } = parseArgs({ args: [...args], options: Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, { type: o.type }])), strict: true, allowPositionals: false }));
  } catch (error) {
    throw usageError(`${first}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (values.help === true) return { kind: 'help', command: first };
  for (const name of spec.required ?? []) if (values[name] === undefined) throw usageError(`${first}: --${name} is required`);
  if (spec.takesCommand === true && commandLine.length === 0) throw usageError(`${first}: give the command to run after --`);
  if (spec.takesCommand !== true && dashDash !== -1) throw usageError(`${first}: takes no command after --`);
  return { kind: 'run', command: first, options: values, commandLine };
};

/** An integer option within bounds, or undefined when absent. */
export const integerOption = (options: ParsedOptions, name: string, min: number, max: number): number | undefined => {
  const raw = options[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw usageError(`--${name} must be a whole number from ${min} to ${max}`);
  return Number(raw);
};

export const stringOption = (options: ParsedOptions, name: string): string | undefined => {
  const raw = options[name];
  return typeof raw === 'string' ? raw : undefined;
};

export const flag = (options: ParsedOptions, name: string): boolean => options[name] === true;

const optionLines = (spec: CommandSpec): string[] =>
  Object.entries(spec.options).map(([name, o]) => `  --${`${name}${o.value === undefined ? '' : ` ${o.value}`}`.padEnd(22)} ${o.help}`);

export const helpText = (command?: CommandName): string => {
  if (command !== undefined) {
    const spec: CommandSpec = COMMANDS[command];
    return [`Usage: fbroker ${spec.usage}`, '', spec.summary, '', 'Options:', ...optionLines(spec), ''].join('\n');
  }
  return [
    'Usage: fbroker <command> [options]',
    '',
    'AWS credentials from a federation-broker: sign in once in a browser, then every AWS tool gets',
    'short-lived credentials (credential_process, container endpoint, console).',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(12)} ${spec.summary}`),
    '',
    'Every command takes --broker URL (default $FBROKER_URL); `fbroker <command> --help` lists its options.',
    'Cache: $FBROKER_CACHE_DIR, else the per-user cache folder. Exit status: 0 ok, 1 refused or failed, 2 usage.',
    '',
    'In ~/.aws/config:',
    '  [profile dev]',
    '  credential_process = fbroker credentials --broker https://broker.example.com --role dev-readonly',
    '',
  ].join('\n');
};
