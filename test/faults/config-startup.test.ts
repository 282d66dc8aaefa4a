// A bad config stops start-up: `node tools/local/start.ts` (what `npm start` runs) with BROKER_CONFIG pointing at a
// broken file exits non-zero on its own, names every problem of the failing stage by its path, never echoes a
// secret value, and never reports "running on". The stages, in order: YAML, schema, semantic checks, references
// (files and env:/ssm: secrets), then each function's own use of a resolved secret (sealing secret, signing key).

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

const START = resolve(import.meta.dirname, '../../tools/local/start.ts');
/** Read from where it is committed (a path relative to the config file may also be absolute). */
const DEV_METADATA = resolve(import.meta.dirname, '../../config/dev-keys/dev-static-saml.metadata.xml');
const EXIT_TIMEOUT_MS = 30_000;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs start.ts as its own process with only the variables a developer would have; stopped by pid if it hangs. */
const runStart = (configFile: string, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolvePromise, reject) => {
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !/^(AWS_|BROKER_|REPLAY_TABLE|POWERTOOLS_|FAULTS_)/.test(key)) base[key] = value;
    }
    const child = spawn(process.execPath, [START], {
      env: { ...base, PORT: '0', DEV_IDP_PORT: '0', DEV_SAML_IDP_PORT: '0', BROKER_CONFIG: configFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), EXIT_TIMEOUT_MS);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });

const VALID = {
  version: 1,
  broker: { baseUrl: 'https://broker.example.com' },
  providers: { 'corp-oidc': { type: 'oidc', issuer: 'https://idp.example.com', clientId: 'broker' } },
  roles: { dev: { arn: 'arn:aws:iam::111122223333:role/Dev' } },
  rules: [{ id: 'devs', roles: ['dev'], conditions: { StringLike: { email: '*@example.com' } } }],
};

interface Row {
  readonly name: string;
  /** The config file's text (YAML). */
  readonly text: string;
  readonly env?: Record<string, string>;
  /** Every path the message must name. */
  readonly paths: readonly string[];
  /** Values that must never appear in the output. */
  readonly secrets: readonly string[];
}

const yaml = (data: unknown): string => stringify(data);

const rows: Row[] = [
  {
    name: 'schema: every bad field, literal secrets not echoed',
    text: yaml({
      version: 1,
      broker: { baseUrl: 'ftp://broker.example.com', clockSkewSeconds: 9999, defaultSessionSeconds: 10, sealingSecret: 'literal-sealing-secret-NOT-ECHOED-1' },
      providers: {
        'corp-oidc': { type: 'oidc', issuer: 'http://idp.example.com', clientId: 'broker', clientSecret: 'literal-client-secret-NOT-ECHOED-2' },
        'corp-saml': { type: 'saml', metadataXml: '<EntityDescriptor/>', allowIdpInitiated: 'maybe' },
      },
      roles: { dev: { arn: 'not-an-arn', maxSessionSeconds: 999_999 } },
      rules: [{ id: 'devs', roles: ['dev'] }],
    }),
    paths: [
      'broker.baseUrl', 'broker.clockSkewSeconds', 'broker.defaultSessionSeconds', 'broker.sealingSecret', 'providers.corp-oidc.issuer',
      'providers.corp-oidc.clientSecret', 'providers.corp-saml.allowIdpInitiated', 'roles.dev.arn', 'roles.dev.maxSessionSeconds',
    ],
    secrets: ['literal-sealing-secret-NOT-ECHOED-1', 'literal-client-secret-NOT-ECHOED-2'],
  },
  {
    name: 'semantic checks: unknown ids and operators, duplicate rule ids',
    text: yaml({
      ...VALID,
      rules: [
        { id: 'r1', roles: ['dev', 'ghost'], providers: ['corp-oidc', 'nobody'], conditions: { StringLikeRegex: { email: '*' } } },
        { id: 'r1', roles: ['dev'], conditions: { StringEquals: { email: 'a@example.com' } } },
      ],
    }),
    paths: ['rules[0].roles[1]', 'rules[0].providers[1]', 'rules[0].conditions.StringLikeRegex', 'rules[1].id'],
    secrets: [],
  },
  {
    name: 'references: unset environment variables are named, never guessed at',
    text: yaml({
      ...VALID,
      broker: { ...VALID.broker, sealingSecret: 'env:FAULTS_UNSET_SEALING_SECRET' },
      providers: { 'corp-oidc': { ...VALID.providers['corp-oidc'], clientSecret: 'env:FAULTS_UNSET_CLIENT_SECRET' } },
    }),
    paths: ['broker.sealingSecret', 'providers.corp-oidc.clientSecret'],
    secrets: [],
  },
  {
    name: 'references: missing files, relative to the config file',
    text: yaml({
      ...VALID,
      broker: { ...VALID.broker, signingKey: 'file:keys/missing.pem' },
      providers: { ...VALID.providers, 'corp-saml': { type: 'saml', metadataFile: 'idp/missing.xml' } },
    }),
    paths: ['broker.signingKey', 'providers.corp-saml.metadataFile'],
    secrets: [],
  },
  {
    name: 'YAML syntax: the position only, never the text of the line (it may hold a secret)',
    text: 'version: 1\nbroker:\n  baseUrl: https://broker.example.com\n  sealingSecret: [yaml-line-secret-NOT-ECHOED-3\nproviders: {}\n',
    paths: ['(file)'],
    secrets: ['yaml-line-secret-NOT-ECHOED-3'],
  },
  {
    name: 'a resolved sealing secret that is too short: named, not shown',
    text: yaml({ ...VALID, broker: { ...VALID.broker, sealingSecret: 'env:FAULTS_SHORT_SECRET' } }),
    env: { FAULTS_SHORT_SECRET: 'short-sealing-NOT-ECHOED-4' },
    paths: ['broker.sealingSecret'],
    secrets: ['short-sealing-NOT-ECHOED-4'],
  },
  {
    name: 'a resolved signing key that is not a usable PEM key: named, not shown',
    text: yaml({ ...VALID, broker: { ...VALID.broker, signingKey: 'env:FAULTS_BAD_KEY' } }),
    env: { FAULTS_BAD_KEY: '-----BEGIN PRIVATE KEY-----\nTk9ULUEtS0VZLU5PVC1FQ0hPRUQtNQ==\n-----END PRIVATE KEY-----\n' },
    paths: ['broker.signingKey'],
    secrets: ['Tk9ULUEtS0VZLU5PVC1FQ0hPRUQtNQ==', 'NOT-A-KEY-NOT-ECHOED-5'],
  },
  {
    name: 'the committed DEV ONLY SAML metadata behind an https baseUrl',
    text: yaml({ ...VALID, providers: { ...VALID.providers, 'corp-saml': { type: 'saml', metadataFile: DEV_METADATA } } }),
    paths: ['providers.corp-saml.metadataFile'],
    secrets: [],
  },
  {
    name: 'the committed DEV ONLY SAML metadata on a loopback baseUrl, in AWS Lambda',
    text: yaml({ ...VALID, broker: { baseUrl: 'http://127.0.0.1:3000' }, providers: { ...VALID.providers, 'corp-saml': { type: 'saml', metadataFile: DEV_METADATA } } }),
    env: { AWS_LAMBDA_FUNCTION_NAME: 'TokenFunction' },
    paths: ['providers.corp-saml.metadataFile'],
    secrets: [],
  },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broker-bad-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('start-up with a bad config', () => {
  it.each(rows.map((row, i) => [row.name, i] as const))('%s', async (_name, index) => {
    const row = rows[index]!;
    const file = join(dir, `broker-${index}.yaml`);
    await writeFile(file, row.text);
    const run = await runStart(file, row.env);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.signal, 'start.ts must exit on its own').toBeNull();
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('running on');
    expect(run.stderr).toMatch(/ConfigError|CONFIG_INVALID/);
    for (const path of row.paths) expect(run.stderr).toContain(path);
    for (const secret of row.secrets) expect(output).not.toContain(secret);
  }, 40_000);
});
