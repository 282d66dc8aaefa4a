// The replay store against dynalite (a real DynamoDB implementation), and failing closed without it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoReplayStore } from '../../../shared/stores/dynamo-replay.ts';
import { createMemoryReplayStore } from '../../support/memory-replay.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../../../tools/local/dynamo.ts';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
const expiresAt = new Date('2030-01-01T00:00:00Z');

beforeAll(async () => {
  dynamo = await startDynalite();
  await createReplayTable(dynamo.endpoint, 'replay-test');
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

describe('DynamoDB replay store', () => {
  it('accepts a key once and refuses it after', async () => {
    const store = createDynamoReplayStore(client, 'replay-test');
    await store.claimOnce('jti:dev:abc', expiresAt);
    await expect(store.claimOnce('jti:dev:abc', expiresAt)).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
  });

  it('lets exactly one of many concurrent claims of one key win', async () => {
    const store = createDynamoReplayStore(client, 'replay-test');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.claimOnce('saml:corp:_id-race', expiresAt)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'REPLAY_DETECTED' });
  });

  it('keeps different keys apart', async () => {
    const store = createDynamoReplayStore(client, 'replay-test');
    await store.claimOnce('jti:dev:one', expiresAt);
    await expect(store.claimOnce('jti:dev:two', expiresAt)).resolves.toBeUndefined();
  });

  it('fails closed when the table is missing', async () => {
    const store = createDynamoReplayStore(client, 'no-such-table');
    await expect(store.claimOnce('jti:dev:x', expiresAt)).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
  });

  it('fails closed when DynamoDB cannot be reached', async () => {
    const dead = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await expect(createDynamoReplayStore(dead, 'replay-test').claimOnce('jti:dev:y', expiresAt)).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
    dead.destroy();
  });
});

// Defence in depth: the identity-proof checks bound their dates; an expiry that is no real date (a NaN from an
// exp of 1e309) once reached DynamoDB as TTL "NaN", a ValidationException, and came back as a 503.
const badExpiries: Array<[string, Date]> = [
  ['an invalid Date (NaN)', new Date(Number.NaN)],
  ['an invalid Date from Infinity', new Date(Number.POSITIVE_INFINITY * 1000)],
  ['after 9999-12-31T23:59:59Z', new Date('+010000-01-01T00:00:00Z')],
  ['before 1970', new Date(-1000)],
];

describe('an expiry that is no real date is a 400 TOKEN_INVALID, never sent to the table', () => {
  it.each(badExpiries)('DynamoDB store: %s', async (_name, bad) => {
    const store = createDynamoReplayStore(client, 'replay-test');
    await expect(store.claimOnce(`jti:dev:bad-${_name}`, bad)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    // Nothing was recorded: the same key with a real expiry is a first use.
    await expect(store.claimOnce(`jti:dev:bad-${_name}`, expiresAt)).resolves.toBeUndefined();
  });

  it.each(badExpiries)('memory store: %s', async (_name, bad) => {
    const store = createMemoryReplayStore(() => 0);
    await expect(store.claimOnce('k', bad)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect(store.size()).toBe(0);
  });

  it('accepts the last second of 9999', async () => {
    await expect(createMemoryReplayStore(() => 0).claimOnce('k', new Date('9999-12-31T23:59:59Z'))).resolves.toBeUndefined();
  });
});

describe('memory replay store', () => {
  it('has the same contract', async () => {
    const store = createMemoryReplayStore(() => 0);
    await store.claimOnce('k', new Date(1000));
    await expect(store.claimOnce('k', new Date(1000))).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
  });
});
