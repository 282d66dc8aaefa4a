// The operator CLI (docs/operations.md): `check-config`, `explain` and `sessions`.
//   npm run --silent broker -- check-config --config FILE [--json]
//   npm run --silent broker -- explain --config FILE --provider ID --claims FILE.json [--role ID]
//       [--source-ip IP] [--duration SECONDS] [--at ISO-TIME] [--json]
//   npm run --silent broker -- sessions list|revoke --subject S [--provider P] [--table T] [--json]
// Exit codes: 0 = valid config / a decision was made (grant or deny), 1 = invalid config, 2 = usage or input error.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile, type Problem } from '../../shared/config/index.ts';
import { explainJson, explainText } from '../../shared/identity/explain.ts';
import { samlProvidersOf } from '../../shared/saml/providers.ts';
import { explainIdentity, type IdentitySource } from './explain-source.ts';
import { sessionsCommand, SessionsUsageError } from './sessions.ts';

const USAGE = `Usage:
  broker check-config --config FILE [--json]
  broker explain --config FILE --provider ID (--claims FILE.json | --token JWT | --saml-response FILE)
                 [--role ID|ARN] [--source-ip IP] [--duration SECONDS] [--at ISO-TIME] [--json]
  broker sessions list|revoke --subject S [--provider P] [--table T] [--json]`;

class UsageError extends Error {}

const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const err = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

const formatProblems = (problems: readonly Problem[]): string =>
  problems.map((p) => `${p.severity === 'error' ? 'error  ' : 'warning'} ${p.path}: ${p.message}`).join('\n');

const checkConfigCommand = async (args: string[]): Promise<number> => {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  if (!values.config) throw new UsageError('check-config needs --config FILE');
  const file = resolve(values.config);
  const problems: Problem[] = [];
  try {
    const config = await loadConfigFile(file, { resolveSecrets: false });
    problems.push(...config.warnings);
    // What the SAML function parses at its cold start (IdP metadata), checked by the same code here.
    samlProvidersOf(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (values.json) {
    out(JSON.stringify({ valid: errors.length === 0, errors, warnings }));
  } else {
    if (problems.length > 0) out(formatProblems(problems));
    out(errors.length === 0 ? `${values.config}: valid (${warnings.length} warning(s))` : `${values.config}: ${errors.length} error(s), ${warnings.length} warning(s)`);
  }
  return errors.length === 0 ? 0 : 1;
};

const positiveInt = (text: string | undefined, name: string): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`${name} must be a whole number of seconds`);
  return Number(text);
};

const explainCommand = async (args: string[]): Promise<number> => {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      provider: { type: 'string' },
      claims: { type: 'string' },
      token: { type: 'string' },
      'saml-response': { type: 'string' },
      role: { type: 'string' },
      'source-ip': { type: 'string' },
      duration: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.config) throw new UsageError('explain needs --config FILE');
  if (!values.provider) throw new UsageError('explain needs --provider ID');
  const sources = [values.claims, values.token, values['saml-response']].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new UsageError('explain needs exactly one of --claims FILE, --token JWT, --saml-response FILE');
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) throw new UsageError('--at must be an ISO 8601 time');

  let source: IdentitySource;
  if (values.claims !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(values.claims, 'utf8')) as unknown;
    } catch {
      throw new UsageError(`--claims ${values.claims}: not a readable JSON file`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError('--claims must hold a JSON object');
    source = { kind: 'claims', raw: raw as Record<string, unknown> };
  } else if (values.token !== undefined) {
    source = { kind: 'token', token: values.token };
  } else {
    source = { kind: 'saml', file: values['saml-response'] ?? '' };
  }

  const config = await loadConfigFile(resolve(values.config), { resolveSecrets: false });
  if (!Object.hasOwn(config.providers, values.provider)) throw new UsageError(`unknown provider "${values.provider}" (configured: ${Object.keys(config.providers).join(', ')})`);
  const role = values.role === undefined ? undefined : values.role.startsWith('arn:') ? { arn: values.role } : { id: values.role };
  const decision = await explainIdentity(config, {
    provider: values.provider,
    source,
    role,
    sourceIp: values['source-ip'],
    requestedSeconds: positiveInt(values.duration, '--duration'),
    at,
  });
  out(values.json ? JSON.stringify(explainJson(decision)) : explainText(decision));
  return 0;
};

const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  try {
    if (command === 'check-config') return await checkConfigCommand(rest);
    if (command === 'explain') return await explainCommand(rest);
    if (command === 'sessions') return await sessionsCommand(rest, { env: process.env, out, err, now: () => new Date() });
    if (command === undefined || command === 'help' || command === '--help') {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof SessionsUsageError) {
      err(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return 1;
    }
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
      err(`${error.code}: ${error.message}`);
      return 2;
    }
    throw error;
  }
};

process.exitCode = await main(process.argv.slice(2));
