// The operator CLI as an operator runs it: a separate Node process, output on stdout, an exit code.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { baseConfig } from '../../support/config.ts';
import { signDevSamlResponse, signDevToken } from '../../../tools/events/generate.ts';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../../../tools/cli/broker.ts');

const broker = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let dir: string;
let good: string;
let bad: string;
let claims: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broker-cli-'));
  good = join(dir, 'good.yaml');
  bad = join(dir, 'bad.yaml');
  claims = join(dir, 'claims.json');
  await writeFile(good, stringify(baseConfig()));
  const broken = baseConfig();
  broken.rules[1].roles.push('missing-role');
  broken.rules[1].conditions.IpAddress = { 'broker:sourceIp': '300.1.1.1/8' };
  await writeFile(bad, stringify(broken));
  await writeFile(claims, JSON.stringify({ sub: 'u-1', email: 'alice@example.com', realm_access: { roles: ['aws-dev', 'prod-admins'] }, amr: ['mfa'], department: 'Platform' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('check-config', () => {
  it('exits 0 on a valid file', async () => {
    const result = await broker('check-config', '--config', good);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid');
  });

  it('lists every problem and exits non-zero', async () => {
    const result = await broker('check-config', '--config', bad, '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['rules[1].roles[1]', 'rules[1].conditions.IpAddress.broker:sourceIp']),
    );
  });
});

describe('explain', () => {
  it('prints exactly one JSON object with --json', async () => {
    const result = await broker('explain', '--config', good, '--provider', 'corp-oidc', '--claims', claims, '--at', '2026-01-01T00:00:00Z', '--duration', '7200', '--json');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.outcome).toBe('grant');
    expect(out.roles.map((r: { id: string }) => r.id)).toEqual(['dev-readonly', 'prod-admin']);
    expect(out.roles[0].session).toMatchObject({ name: 'alice@example.com', tags: { Team: 'Platform', Groups: 'aws-dev:prod-admins' }, transitiveTags: ['Team'], durationSeconds: 3600, durationBoundBy: 'role' });
    expect(out.roles[1].session).toMatchObject({ sourceIdentity: 'alice@example.com', durationSeconds: 7200, durationBoundBy: 'requested' });
    expect(out.trace).toHaveLength(3);
  });

  it('explains a denial with its code', async () => {
    const result = await broker('explain', '--config', good, '--provider', 'corp-saml', '--claims', claims, '--role', 'prod-admin', '--json');
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ outcome: 'deny', code: 'ROLE_NOT_GRANTED', roles: [] });
  });

  it('shows an unreadable claim value as a CLAIM_UNREADABLE refusal, naming the claim', async () => {
    const nested = join(dir, 'nested.json');
    await writeFile(nested, JSON.stringify({ sub: 'u-1', email: 'alice@example.com', realm_access: { roles: [['contractors'], 'aws-dev'] }, amr: ['mfa'] }));
    const out = JSON.parse((await broker('explain', '--config', good, '--provider', 'corp-oidc', '--claims', nested, '--json')).stdout);
    expect(out).toMatchObject({ outcome: 'deny', code: 'CLAIM_UNREADABLE', notes: [expect.stringContaining('"groups"')] });
    const text = (await broker('explain', '--config', good, '--provider', 'corp-oidc', '--claims', nested)).stdout;
    expect(text).toContain('DENY  CLAIM_UNREADABLE');
  });

  it('notes a session name made legal for STS (16 hex characters of hash)', async () => {
    const accented = join(dir, 'accented.json');
    await writeFile(accented, JSON.stringify({ sub: 'u-1', email: 'j\u00fcrgen@example.com', realm_access: { roles: ['aws-dev'] }, amr: ['mfa'] }));
    const out = JSON.parse((await broker('explain', '--config', good, '--provider', 'corp-oidc', '--claims', accented, '--json')).stdout);
    expect(out.roles[0].session.name).toBe('j-rgen@example.com-3d2a5310682ac922');
    expect(out.notes).toContainEqual(expect.stringMatching(/^role dev-readonly: session name made legal for STS/));
  });

  it('renders a readable trace without --json', async () => {
    const result = await broker('explain', '--config', good, '--provider', 'corp-oidc', '--claims', claims);
    expect(result.stdout).toContain('engineers-dev');
    expect(result.stdout).toContain('GRANT');
  });

  it('refuses an unknown provider as a usage error', async () => {
    const result = await broker('explain', '--config', good, '--provider', 'nope', '--claims', claims);
    expect(result.code).toBe(2);
  });

  it('verifies a token against its provider (--token) and explains the decision', async () => {
    const localConfig = resolve(import.meta.dirname, '../../../config/broker.local.yaml');
    const at = new Date();
    const fresh = await signDevToken('alice', Math.floor(at.getTime() / 1000) - 60, 3600);
    const granted = JSON.parse((await broker('explain', '--config', localConfig, '--provider', 'dev-static', '--token', fresh, '--at', at.toISOString(), '--json')).stdout);
    expect(granted).toMatchObject({ outcome: 'grant', roles: [{ id: 'dev-readonly' }, { id: 'dev-poweruser' }] });
    const later = new Date(at.getTime() + 2 * 3600_000).toISOString();
    const expired = JSON.parse((await broker('explain', '--config', localConfig, '--provider', 'dev-static', '--token', fresh, '--at', later, '--json')).stdout);
    expect(expired).toMatchObject({ outcome: 'deny', code: 'TOKEN_EXPIRED', roles: [] });
  });

  it('verifies a captured SAML response (--saml-response) and explains the decision', async () => {
    const localConfig = resolve(import.meta.dirname, '../../../config/broker.local.yaml');
    const at = new Date();
    const file = join(dir, 'response.b64');
    await writeFile(file, await signDevSamlResponse('alice', at, 3600));
    const granted = JSON.parse((await broker('explain', '--config', localConfig, '--provider', 'dev-static-saml', '--saml-response', file, '--at', at.toISOString(), '--json')).stdout);
    expect(granted).toMatchObject({ outcome: 'grant', roles: expect.arrayContaining([expect.objectContaining({ id: 'dev-readonly' })]) });
    await writeFile(file, Buffer.from(await signDevSamlResponse('alice', at, 3600), 'base64').toString('utf8').replace('eng-platform', 'admins'));
    const tampered = JSON.parse((await broker('explain', '--config', localConfig, '--provider', 'dev-static-saml', '--saml-response', file, '--at', at.toISOString(), '--json')).stdout);
    expect(tampered).toMatchObject({ outcome: 'deny', code: 'SIGNATURE_INVALID' });
  });
});

describe('many accounts (config/accounts.example.yaml)', () => {
  const example = resolve(import.meta.dirname, '../../../config/accounts.example.yaml');
  // The claims of the docs' worked example (docs/accounts.md).
  const alice = resolve(import.meta.dirname, '../../../config/accounts.example.alice.json');

  it('check-config accepts the worked example', async () => {
    const result = await broker('check-config', '--config', example, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, errors: [], warnings: [] });
  });

  it('explains per role instance: the granted ones with their account, the denied ones with their deny rule', async () => {
    const out = JSON.parse((await broker('explain', '--config', example, '--provider', 'okta', '--claims', alice, '--at', '2026-12-07T12:00:00Z', '--json')).stdout);
    expect(out.roles.map((r: { id: string }) => r.id)).toEqual(['readonly@payments-dev', 'developer@payments-dev', 'arn:aws:iam::444455556666:role/Okta-ReadOnly']);
    expect(out.roles[0]).toMatchObject({ ruleId: 'team-readonly', account: { id: '444455556666', name: 'payments-dev', label: 'Payments Dev' }, session: { name: 'alice@example.com', tags: { Team: 'payments' } } });
    expect(out.denied).toEqual([{ id: 'readonly@payments-prod', ruleId: 'no-prod-for-contractors' }]);
    expect(out.notes).toContainEqual(expect.stringContaining('1 value(s) ignored as malformed (position 2)'));
    expect(out.trace.find((t: { ruleId: string }) => t.ruleId === 'team-readonly')).toMatchObject({
      matched: true,
      instances: { listed: 4, matched: 2 },
      conditions: [{ key: 'groups', result: true }, { key: 'broker:account:tag/team', values: ['${team}'], substituted: ['payments'], target: { evaluated: 4, held: 2, heldValues: ['payments'] } }],
    });
  });

  it('with --role, the values compared for that one role', async () => {
    const text = (await broker('explain', '--config', example, '--provider', 'okta', '--claims', alice, '--role', 'readonly@search-dev', '--at', '2026-12-07T12:00:00Z')).stdout;
    expect(text).toContain('broker:account:tag/team ["${team}"] → ["payments"]  — role values: "search"; held for 0 of 1 role(s)');
    expect(text).toContain('DENY  ROLE_NOT_GRANTED');
  });

  it('keeps the trace short: one entry per rule, not one per role and rule', async () => {
    const text = (await broker('explain', '--config', example, '--provider', 'okta', '--claims', alice, '--at', '2026-12-07T12:00:00Z')).stdout;
    expect(text).toContain('denied by rule "no-prod-for-contractors" (deny overrides allow): readonly@payments-prod');
    expect(text.split('\n').length).toBeLessThan(40);
  });
});
