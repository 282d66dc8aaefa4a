// `npm run invoke` as a developer runs it: the runner resolves the function from template.yaml and env.json,
// embeds dynalite and the offline STS, and prints the handler's result on stdout (logs on stderr).

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevSamlResponse, signDevToken } from '../../tools/events/generate.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

const invoke = async (logicalId: string, eventFile: string) => {
  const { stdout } = await run(process.execPath, ['tools/invoke/invoke.ts', logicalId, eventFile, '--env-vars', 'env.json'], { cwd: ROOT, env: { ...process.env, AWS_ENDPOINT_URL_STS: '', AWS_ENDPOINT_URL_DYNAMODB: '' } });
  const result = JSON.parse(stdout) as { statusCode: number; body: string };
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
};

/** The sample event with a subject token signed now (the files' tokens age; the tests must not). */
const freshEvent = async (file: string, user: 'alice' | 'bob', lifetime = 3600, age = 0): Promise<string> => {
  const event = JSON.parse(await readFile(join(ROOT, 'events', file), 'utf8')) as { body: string };
  const params = new URLSearchParams(event.body);
  params.set('subject_token', await signDevToken(user, Math.floor(Date.now() / 1000) - age, lifetime));
  const out = join(dir, file.replace('/', '-'));
  await writeFile(out, JSON.stringify({ ...event, body: params.toString() }));
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'broker-invoke-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run invoke with events/', () => {
  it('answers the success event with credentials', async () => {
    const result = await invoke('TokenFunction', await freshEvent('token/success.json', 'alice'));
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatchObject({ Version: 1, RoleArn: 'arn:aws:iam::111122223333:role/DevReadOnly', expires_in: expect.any(Number) });
  });

  it('answers the role-not-granted event with ROLE_NOT_GRANTED', async () => {
    expect((await invoke('TokenFunction', await freshEvent('token/role-not-granted.json', 'bob'))).body.code).toBe('ROLE_NOT_GRANTED');
  });

  it('answers the expired-token event with TOKEN_EXPIRED', async () => {
    expect((await invoke('TokenFunction', join(ROOT, 'events/token/expired-token.json'))).body.code).toBe('TOKEN_EXPIRED');
  });

  it('answers the malformed-body event with INVALID_REQUEST', async () => {
    expect((await invoke('TokenFunction', join(ROOT, 'events/token/malformed-body.json'))).body.code).toBe('INVALID_REQUEST');
  });

  it('answers the roles event', async () => {
    const result = await invoke('RolesFunction', await freshEvent('roles/success.json', 'alice'));
    expect(result.body).toMatchObject({ roles: [{ id: 'dev-readonly' }, { id: 'dev-poweruser' }] });
  });

  const freshSaml = async (file: string, user: 'alice' | 'bob'): Promise<string> => {
    const event = JSON.parse(await readFile(join(ROOT, 'events', file), 'utf8')) as { body: string };
    const params = new URLSearchParams(event.body);
    params.set('SAMLResponse', await signDevSamlResponse(user, new Date(), 3600));
    const out = join(dir, file.replace('/', '-'));
    await writeFile(out, JSON.stringify({ ...event, body: params.toString() }));
    return out;
  };

  it('answers the IdP-initiated SAML event with the role picker', async () => {
    const { stdout } = await run(process.execPath, ['tools/invoke/invoke.ts', 'SamlFunction', await freshSaml('saml/idp-initiated.json', 'alice'), '--env-vars', 'env.json'], { cwd: ROOT });
    const result = JSON.parse(stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('name="ticket"');
  });

  it.each([
    ['saml/no-role.json', 'bob', 403, 'NO_ROLE_GRANTED'],
    ['saml/tampered.json', undefined, 400, 'SIGNATURE_INVALID'],
    ['saml/relaystate-open-redirect.json', 'alice', 400, 'DESTINATION_NOT_ALLOWED'],
  ] as const)('answers %s with its error page', async (file, user, status, code) => {
    const eventFile = user === undefined ? join(ROOT, 'events', file) : await freshSaml(file, user);
    const { stdout } = await run(process.execPath, ['tools/invoke/invoke.ts', 'SamlFunction', eventFile, '--env-vars', 'env.json'], { cwd: ROOT });
    const result = JSON.parse(stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(status);
    expect(result.body).toContain(`<code>${code}</code>`);
  });

  const invokeCli = async (file: string): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => {
    const { stdout } = await run(process.execPath, ['tools/invoke/invoke.ts', 'CliFunction', join(ROOT, 'events', file), '--env-vars', 'env.json'], { cwd: ROOT });
    return JSON.parse(stdout) as { statusCode: number; headers: Record<string, string>; body: string };
  };

  it('answers the CLI events as docs/cli.md says', async () => {
    const device = await invokeCli('cli/device-authorization.json');
    expect(device.statusCode).toBe(200);
    expect(JSON.parse(device.body)).toMatchObject({ user_code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/), expires_in: 600, interval: 5 });
    const authorize = await invokeCli('cli/authorize.json');
    expect(authorize.statusCode).toBe(302);
    expect(authorize.headers.location).toBe('/oidc/login?provider=dev-oidc&cli=1');
    const notLoopback = await invokeCli('cli/authorize-not-loopback.json');
    expect([notLoopback.statusCode, notLoopback.headers.location]).toEqual([400, undefined]);
    expect(notLoopback.body).toContain('<code>REDIRECT_URI_INVALID</code>');
    expect((await invokeCli('cli/device-page.json')).body).toContain('value="BCDF-GHJK"');
    const token = await invokeCli('cli/token-without-dpop.json');
    expect([token.statusCode, JSON.parse(token.body)]).toEqual([400, expect.objectContaining({ error: 'invalid_dpop_proof', code: 'DPOP_INVALID' })]);
    const revoke = await invokeCli('cli/revoke.json');
    expect([revoke.statusCode, revoke.body]).toEqual([200, '{}']);
  }, 60_000);
});
