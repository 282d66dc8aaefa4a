import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyStsError, createStsAdapter } from '../../../shared/issuance/sts.ts';
import type { SessionParams } from '../../../shared/rules/index.ts';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::111122223333:role/DevReadOnly';
const session: SessionParams = {
  name: 'alice@example.com',
  sourceIdentity: 'alice@example.com',
  tags: { Team: 'Platform', Groups: 'aws-dev:eng' },
  transitiveTags: ['Team'],
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  policy: '{"Version":"2012-10-17","Statement":[]}',
  durationSeconds: 1800,
  durationBoundBy: 'requested',
};
const credentials = { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2030-01-01T00:00:00Z') };

const stsError = (name: string, status: number, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') =>
  new STSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` });

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

beforeEach(() => sts.reset());

describe('assumeRole', () => {
  it('passes every session parameter to STS', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }));
    const out = await adapter.assumeRole(ROLE, session, 'ext-123');
    expect(out).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date('2030-01-01T00:00:00Z') });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'alice@example.com',
      DurationSeconds: 1800,
      SourceIdentity: 'alice@example.com',
      Tags: [{ Key: 'Team', Value: 'Platform' }, { Key: 'Groups', Value: 'aws-dev:eng' }],
      TransitiveTagKeys: ['Team'],
      Policy: '{"Version":"2012-10-17","Statement":[]}',
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
      ExternalId: 'ext-123',
    });
  });

  it('retries throttling, then succeeds', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('Throttling', 400)).rejectsOnce(stsError('Throttling', 400)).resolves({ Credentials: credentials });
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }), undefined, noSleep);
    await expect(adapter.assumeRole(ROLE, session)).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('gives up after a bounded number of attempts with STS_UNAVAILABLE', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }), { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 10, budgetMs: 10_000 }, noSleep);
    await expect(adapter.assumeRole(ROLE, session)).rejects.toMatchObject({ code: 'STS_UNAVAILABLE' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
  });

  it('stops retrying when the time budget is spent', async () => {
    let clock = 0;
    sts.on(AssumeRoleCommand).rejects(stsError('ServiceUnavailable', 503));
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }), { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 1000, budgetMs: 1500 }, {
      sleep: async (ms) => void (clock += ms),
      random: () => 0.99,
      now: () => clock,
    });
    await expect(adapter.assumeRole(ROLE, session)).rejects.toMatchObject({ code: 'STS_UNAVAILABLE' });
    expect(sts.commandCalls(AssumeRoleCommand).length).toBeLessThan(10);
  });

  it.each(['AccessDenied', 'MalformedPolicyDocument', 'PackedPolicyTooLarge', 'RegionDisabledException', 'ValidationError'])(
    'turns the refusal %s into STS_REJECTED naming the role, without retrying',
    async (name) => {
      sts.on(AssumeRoleCommand).rejects(stsError(name, name === 'RegionDisabledException' ? 403 : 400));
      const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }), undefined, noSleep);
      const failure = adapter.assumeRole(ROLE, session);
      await expect(failure).rejects.toMatchObject({ code: 'STS_REJECTED' });
      await expect(failure).rejects.toMatchObject({ publicDetail: expect.stringContaining(ROLE) });
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    },
  );

  it('treats a network failure (no HTTP status) as unavailable', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error', code: 'ECONNREFUSED' }));
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }), { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 }, noSleep);
    await expect(adapter.assumeRole(ROLE, session)).rejects.toMatchObject({ code: 'STS_UNAVAILABLE' });
  });

  it('refuses an answer without credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }));
    await expect(adapter.assumeRole(ROLE, session)).rejects.toMatchObject({ code: 'STS_REJECTED' });
  });
});

describe('assumeRoleWithWebIdentity', () => {
  it('sends the token, name, duration and policies (tags travel inside the token)', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).resolves({ Credentials: credentials });
    const adapter = createStsAdapter(new STSClient({ region: 'us-east-1' }));
    await adapter.assumeRoleWithWebIdentity(ROLE, { ...session, durationSeconds: 43200 }, 'signed.jwt.value');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'alice@example.com',
      DurationSeconds: 43200,
      WebIdentityToken: 'signed.jwt.value',
      Policy: session.policy,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    });
  });
});

describe('classifyStsError', () => {
  it.each([
    ['Throttling', 400, 'transient'],
    ['IDPCommunicationError', 400, 'transient'],
    ['InternalFailure', 500, 'transient'],
    ['SomethingNew', 503, 'transient'],
    ['TooMany', 429, 'transient'],
    ['AccessDenied', 403, 'refused'],
    ['ExpiredTokenException', 400, 'refused'],
  ] as const)('%s (%i) is %s', (name, status, kind) => {
    expect(classifyStsError(stsError(name, status))).toBe(kind);
  });
});
