// The web-identity token (docs/issuance.md) and issuance through it: claims and header checked with jose against the JWKS
// the broker publishes, durations past the role-chaining cap for web-identity roles only, and the failures.

import { generateKeyPairSync } from 'node:crypto';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../shared/audit/audit.ts';
import { createSigningKeys } from '../../../shared/compose/signing.ts';
import { kmsSigningKeysOf } from '../../../shared/compose/aws-clients.ts';
import { buildConfig, type BrokerConfig } from '../../../shared/config/index.ts';
import { BrokerError } from '../../../shared/errors.ts';
import type { VerifiedIdentity } from '../../../shared/identity/verified-identity.ts';
import { createTokenExchange } from '../../../shared/flows/token-exchange.ts';
import { jwksDocument } from '../../../shared/issuance/issuer-documents.ts';
import { createCredentialIssuer, type WebIdentitySigner } from '../../../shared/issuance/issue.ts';
import { pemSigningKey, type SigningKey } from '../../../shared/issuance/signing-key.ts';
import { createStsAdapter } from '../../../shared/issuance/sts.ts';
import { createWebIdentitySigner, maxConsoleSessionSeconds, WEB_IDENTITY_TOKEN_SECONDS } from '../../../shared/issuance/web-identity.ts';
import type { RoleOutcome, SessionParams } from '../../../shared/rules/index.ts';
import { TEST_NOW } from '../../support/oidc.ts';

const sts = mockClient(STSClient);
const ISSUER = 'https://broker.example.com';
const LONG = 'arn:aws:iam::111122223333:role/LongSession';
const SHORT = 'arn:aws:iam::111122223333:role/ShortSession';
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const key = pemSigningKey(pem);

const identity: VerifiedIdentity = {
  providerId: 'corp-oidc',
  protocol: 'oidc',
  subject: 'alice',
  rawClaims: { sub: 'alice', email: 'alice@example.com', department: 'Platform', groups: ['eng-platform'], amr: ['mfa'] },
};
const session = (overrides: Partial<SessionParams> = {}): SessionParams => ({
  name: 'alice@example.com',
  sourceIdentity: 'alice@example.com',
  tags: { Team: 'Platform', Groups: 'aws-dev:eng' },
  transitiveTags: ['Team'],
  policyArns: [],
  durationSeconds: 43_200,
  durationBoundBy: 'requested',
  ...overrides,
});
const role = (overrides: Partial<SessionParams> = {}): RoleOutcome => ({ id: 'long', arn: LONG, ruleId: 'r', maxSessionSeconds: 43_200, issuance: 'web-identity', session: session(overrides) });

/** What a verifier (STS) builds from the served JWKS document. */
const jwksOf = async (keys: readonly SigningKey[]) => createLocalJWKSet((await jwksDocument(keys)) as unknown as JSONWebKeySet);

const verifyToken = async (token: string, keys: readonly SigningKey[] = [key]) =>
  jwtVerify(token, await jwksOf(keys), { issuer: ISSUER, audience: 'sts.amazonaws.com', algorithms: ['RS256'], currentDate: TEST_NOW });

describe('the web-identity token', () => {
  const signer = createWebIdentitySigner({ issuer: ISSUER, audience: 'sts.amazonaws.com', key });

  it('verifies against the published JWKS, with the claims STS reads', async () => {
    const { payload, protectedHeader } = await verifyToken(await signer(role(), identity, TEST_NOW));
    const iat = Math.floor(TEST_NOW.getTime() / 1000);
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: (await key.publicJwk()).kid });
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'corp-oidc:alice',
      aud: 'sts.amazonaws.com',
      iat,
      exp: iat + 300,
      jti: expect.stringMatching(/^[\w-]{22}$/),
      'https://aws.amazon.com/tags': { principal_tags: { Team: ['Platform'], Groups: ['aws-dev:eng'] }, transitive_tag_keys: ['Team'] },
      'https://aws.amazon.com/source_identity': 'alice@example.com',
    });
  });

  it('lives 300 seconds: expired one second after', async () => {
    const token = await signer(role(), identity, TEST_NOW);
    const later = new Date(TEST_NOW.getTime() + (WEB_IDENTITY_TOKEN_SECONDS + 1) * 1000);
    await expect(jwtVerify(token, await jwksOf([key]), { currentDate: later })).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('has a fresh jti per token', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await verifyToken(await signer(role(), identity, TEST_NOW))).payload.jti));
    expect(new Set(ids).size).toBe(3);
  });

  it('omits the AWS claims the session does not set', async () => {
    const { payload } = await verifyToken(await signer(role({ tags: {}, transitiveTags: [], sourceIdentity: undefined }), identity, TEST_NOW));
    expect(payload).not.toHaveProperty(['https://aws.amazon.com/tags']);
    expect(payload).not.toHaveProperty(['https://aws.amazon.com/source_identity']);
  });

  it('omits transitive_tag_keys when no tag is transitive', async () => {
    const { payload } = await verifyToken(await signer(role({ transitiveTags: [] }), identity, TEST_NOW));
    expect(payload['https://aws.amazon.com/tags']).toEqual({ principal_tags: { Team: ['Platform'], Groups: ['aws-dev:eng'] } });
  });

  it('uses broker.tokenAudience as aud', async () => {
    const custom = createWebIdentitySigner({ issuer: ISSUER, audience: 'broker-audience', key });
    const token = await custom(role(), identity, TEST_NOW);
    await expect(verifyToken(token)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    expect(decodeProtectedHeader(token).kid).toBe((await key.publicJwk()).kid);
  });

  it('keeps a tag named __proto__ as a tag', async () => {
    const { payload } = await verifyToken(await signer(role({ tags: JSON.parse('{"__proto__":"x"}') as Record<string, string>, transitiveTags: [] }), identity, TEST_NOW));
    expect(Object.keys(payload['https://aws.amazon.com/tags'] as { principal_tags: object })).toEqual(['principal_tags']);
    expect(Object.keys((payload['https://aws.amazon.com/tags'] as { principal_tags: object }).principal_tags)).toEqual(['__proto__']);
  });

  it('refuses a token over the STS limit of 20,000 characters with STS_REJECTED, before STS', async () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`Tag${String(i).padStart(3, '0')}${'k'.repeat(120)}`, 'v'.repeat(256)]));
    await expect(signer(role({ tags, transitiveTags: [] }), identity, TEST_NOW)).rejects.toMatchObject({ code: 'STS_REJECTED' });
  });
});

describe('issuance by mode', () => {
  let config: BrokerConfig;
  const audit: AuditRecord[] = [];
  const context = { requestId: 'req-1', sourceIp: '203.0.113.7' };
  const credentials = (seconds: number) => ({ Credentials: { AccessKeyId: 'ASIATEST', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(TEST_NOW.getTime() + seconds * 1000) } });

  /** `signer: null` composes without one, as when broker.signingKey is not set. */
  const exchange = async (roleId: string, durationSeconds: number | undefined, signer: WebIdentitySigner | null | undefined = createSigningKeys({ config, kms: () => kmsSigningKeysOf({ region: 'us-east-1' }) }).signer) => {
    const run = createTokenExchange({
      config,
      endpoint: `${ISSUER}/token`,
      verify: async () => identity,
      issue: createCredentialIssuer({ sts: createStsAdapter(new STSClient({ region: 'us-east-1' })), externalIdOf: () => undefined, signWebIdentity: signer ?? undefined }),
      audit: (record) => audit.push(record),
      now: () => TEST_NOW,
    });
    return run({ subjectToken: 'x', kind: 'jwt', roleId, durationSeconds }, context);
  };

  beforeEach(async () => {
    sts.reset();
    audit.length = 0;
    sts.on(AssumeRoleWithWebIdentityCommand).callsFake((input: { DurationSeconds: number }) => credentials(input.DurationSeconds));
    sts.on(AssumeRoleCommand).callsFake((input: { DurationSeconds: number }) => credentials(input.DurationSeconds));
    config = await buildConfig(
      {
        version: 1,
        broker: { baseUrl: ISSUER, signingKey: 'env:BROKER_SIGNING_KEY' },
        providers: { 'corp-oidc': { type: 'oidc', issuer: 'https://idp.example.com', clientId: 'broker' } },
        roles: { long: { arn: LONG, maxSessionSeconds: 43_200, issuance: 'web-identity' }, short: { arn: SHORT, maxSessionSeconds: 43_200 } },
        rules: [{ id: 'engineers', roles: ['long', 'short'], session: { name: '${email}', sourceIdentity: '${email}', tags: { Team: '${department}' }, transitiveTags: ['Team'] } }],
      },
      '/virtual/broker.yaml',
      { env: { BROKER_SIGNING_KEY: pem } },
    );
  });

  it('gives a web-identity role the 12 hours asked for, through AssumeRoleWithWebIdentity', async () => {
    const { credentials: issued } = await exchange('long', 43_200);
    expect(issued.expiration.getTime() - TEST_NOW.getTime()).toBe(43_200_000);
    const input = sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ RoleArn: LONG, RoleSessionName: 'alice@example.com', DurationSeconds: 43_200 });
    const { payload } = await verifyToken(input?.WebIdentityToken ?? '');
    expect(payload).toMatchObject({ sub: 'corp-oidc:alice', 'https://aws.amazon.com/tags': { principal_tags: { Team: ['Platform'] }, transitive_tag_keys: ['Team'] } });
    expect(audit.at(-1)).toMatchObject({ decision: 'grant', durationSeconds: 43_200, durationBoundBy: 'requested' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('clamps an assume-role role to 3600 s, the bound reported as role-chaining', async () => {
    await exchange('short', 43_200);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.DurationSeconds).toBe(3600);
    expect(audit.at(-1)).toMatchObject({ decision: 'grant', durationSeconds: 3600, durationBoundBy: 'role-chaining' });
  });

  it('answers SIGNING_UNAVAILABLE for a web-identity role without a signing key, and calls no STS', async () => {
    await expect(exchange('long', 3600, null)).rejects.toMatchObject({ code: 'SIGNING_UNAVAILABLE' });
    expect(sts.calls()).toHaveLength(0);
    expect(audit.at(-1)).toMatchObject({ decision: 'error', code: 'SIGNING_UNAVAILABLE' });
  });

  it('answers SIGNING_UNAVAILABLE when the key cannot sign, and calls no STS', async () => {
    const failing: SigningKey = { publicJwk: () => key.publicJwk(), sign: () => Promise.reject(new BrokerError('SIGNING_UNAVAILABLE', 'KMS down')) };
    await expect(exchange('long', 3600, createWebIdentitySigner({ issuer: ISSUER, audience: 'sts.amazonaws.com', key: failing }))).rejects.toMatchObject({ code: 'SIGNING_UNAVAILABLE' });
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('maxConsoleSessionSeconds', () => {
  it.each([
    ['assume-role', 43_200, 3600],
    ['assume-role', 1800, 1800],
    ['web-identity', 43_200, 43_200],
    ['web-identity', 28_800, 28_800],
    ['web-identity', 50_000, 43_200],
  ] as const)('%s credentials of %i s open a console session of at most %i s', (issuance, duration, expected) => {
    expect(maxConsoleSessionSeconds(issuance, duration)).toBe(expected);
  });
});
