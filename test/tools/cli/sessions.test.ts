// `npm run broker -- sessions list|revoke` as an operator runs it: a separate Node process against dynalite (the
// endpoint from AWS_ENDPOINT_URL_DYNAMODB, as for the local stack), output on stdout, audit lines on stderr.

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../../shared/stores/cli-store.ts';
import { createDynamoCliStore } from '../../../shared/stores/dynamo-cli-store.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../../../tools/local/dynamo.ts';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../../tools/cli/broker.ts');
const TABLE = 'sessions-cli-test';

let dynamo: LocalDynamo;
let client: DynamoDBClient;

const broker = async (env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const base = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, USER: 'ops-oncall' };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'sessions', ...args], { env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const now = Date.now();
const session = (id: string, subject: string, provider: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  provider,
  subject,
  createdAt: new Date(now - 60_000),
  expiresAt: new Date(now + 3600_000),
  revoked: false,
  ...overrides,
});

beforeAll(async () => {
  dynamo = await startDynalite();
  await createReplayTable(dynamo.endpoint, TABLE);
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const store = createDynamoCliStore(client, TABLE);
  for (const s of [
    session('sid-alice-oidc', 'alice@example.com', 'corp-oidc'),
    session('sid-alice-saml', 'alice@example.com', 'corp-saml'),
    session('sid-alice-old', 'alice@example.com', 'corp-oidc', { createdAt: new Date(now - 7200_000), expiresAt: new Date(now - 3600_000) }),
    session('sid-bob', 'bob@example.com', 'corp-oidc'),
  ]) {
    await store.putSession(s);
  }
}, 30_000);
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

describe('broker sessions', () => {
  it('lists the recorded sessions of a subject with their status (--json)', async () => {
    const result = await broker({}, 'list', '--subject', 'alice@example.com', '--table', TABLE, '--json');
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as { sessions: Array<{ id: string; status: string; provider: string }> };
    expect(listed.sessions.map((s) => [s.id, s.provider, s.status])).toEqual([
      ['sid-alice-old', 'corp-oidc', 'expired'],
      ['sid-alice-oidc', 'corp-oidc', 'active'],
      ['sid-alice-saml', 'corp-saml', 'active'],
    ]);
  });

  it('takes the table from REPLAY_TABLE and prints a table for people', async () => {
    const result = await broker({ REPLAY_TABLE: TABLE }, 'list', '--subject', 'bob@example.com');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SESSION\s+PROVIDER\s+STATUS\s+CREATED\s+EXPIRES/);
    expect(result.stdout).toMatch(/sid-bob\s+corp-oidc\s+active/);
  });

  it('says so when a subject has no sessions', async () => {
    const result = await broker({}, 'list', '--subject', 'nobody@example.com', '--table', TABLE);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No recorded sessions for nobody@example.com');
  });

  it('revokes the sessions of one provider only, with one audit line each, and leaves the others', async () => {
    const result = await broker({}, 'revoke', '--subject', 'alice@example.com', '--provider', 'corp-saml', '--table', TABLE, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ revoked: ['sid-alice-saml'] });
    const audit = result.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { audit: Record<string, unknown> }).audit);
    expect(audit).toEqual([expect.objectContaining({ code: 'SESSION_REVOKED', decision: 'grant', sessionId: 'sid-alice-saml', subject: 'alice@example.com', provider: 'corp-saml', operator: 'ops-oncall' })]);
    const after = JSON.parse((await broker({}, 'list', '--subject', 'alice@example.com', '--table', TABLE, '--json')).stdout) as { sessions: Array<{ id: string; status: string }> };
    expect(Object.fromEntries(after.sessions.map((s) => [s.id, s.status]))).toEqual({ 'sid-alice-old': 'expired', 'sid-alice-oidc': 'active', 'sid-alice-saml': 'revoked' });
  });

  it('revokes every remaining session of a subject, and a second run finds none left', async () => {
    const first = await broker({}, 'revoke', '--subject', 'alice@example.com', '--table', TABLE);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Revoked 2 session(s) of alice@example.com; 1 already revoked.');
    const second = await broker({}, 'revoke', '--subject', 'alice@example.com', '--table', TABLE, '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ revoked: [] });
    expect(second.stderr).toBe('');
    // Another subject is untouched.
    expect((await broker({}, 'list', '--subject', 'bob@example.com', '--table', TABLE)).stdout).toMatch(/sid-bob\s+corp-oidc\s+active/);
  });

  it.each([
    ['no action', []],
    ['an unknown action', ['drop', '--subject', 'x']],
    ['no --subject', ['list']],
    ['an unknown option', ['list', '--subject', 'x', '--force']],
  ])('exits 2 with the usage on %s', async (_name, args) => {
    const result = await broker({}, ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage|--force/);
  });

  it('fails (exit 2) when the table does not exist, and says which error', async () => {
    const result = await broker({}, 'list', '--subject', 'alice@example.com', '--table', 'no-such-table');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('REPLAY_STORE_UNAVAILABLE');
  });
});
