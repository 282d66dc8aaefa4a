// The CLI store against dynalite (a real DynamoDB implementation, with the SessionsBySubject index of the local
// table): sessions recorded, listed by subject and revoked; device authorizations settled once, polled at their pace,
// spent once; user codes unique among live authorizations; wrong-code counters; and failing closed without the table.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRecord, SessionRecord } from '../../../shared/stores/cli-store.ts';
import { createDynamoCliStore } from '../../../shared/stores/dynamo-cli-store.ts';
import { createReplayTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../../../tools/local/dynamo.ts';

const TABLE = 'cli-store-test';
const NOW = new Date('2026-11-22T12:00:00Z');
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let store: ReturnType<typeof createDynamoCliStore>;
let counter = 0;
const unique = (prefix: string): string => `${prefix}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  dynamo = await startDynalite();
  await createReplayTable(dynamo.endpoint, TABLE);
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  store = createDynamoCliStore(client, TABLE);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

const session = (subject: string, provider = 'corp-oidc'): SessionRecord => ({ id: unique('sid'), provider, subject, createdAt: NOW, expiresAt: at(3600), revoked: false });
const device = (overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({ id: unique('dev'), userCode: unique('UC'), status: 'pending', expiresAt: at(600), interval: 5, ...overrides });

describe('sessions', () => {
  it('records a session and reads it back', async () => {
    const record = session('alice');
    await store.putSession(record);
    expect(await store.getSession(record.id)).toEqual(record);
    expect(await store.getSession('no-such-session')).toBeUndefined();
  });

  it('never overwrites a recorded session (a second put with the same id fails)', async () => {
    const record = session('alice');
    await store.putSession(record);
    await expect(store.putSession({ ...record, subject: 'mallory' })).rejects.toBeDefined();
    expect((await store.getSession(record.id))?.subject).toBe('alice');
  });

  it('lists the sessions of one subject through the index, of one provider or of all', async () => {
    const subject = unique('carol');
    const a = session(subject, 'corp-oidc');
    const b = session(subject, 'corp-saml');
    await Promise.all([store.putSession(a), store.putSession(b), store.putSession(session(unique('dave')))]);
    expect((await store.sessionsOf(subject)).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect((await store.sessionsOf(subject, 'corp-saml')).map((s) => s.id)).toEqual([b.id]);
    expect(await store.sessionsOf(unique('nobody'))).toEqual([]);
  });

  it('lists all 30 sessions of one subject', async () => {
    const subject = unique('erin');
    const records = Array.from({ length: 30 }, () => session(subject));
    for (const r of records) await store.putSession(r);
    expect((await store.sessionsOf(subject)).length).toBe(30);
  });

  it('revokes a recorded session, and only a recorded one', async () => {
    const record = session('alice');
    await store.putSession(record);
    expect(await store.revokeSession(record.id)).toBe(true);
    expect((await store.getSession(record.id))?.revoked).toBe(true);
    expect(await store.revokeSession(record.id)).toBe(true);
    expect(await store.revokeSession('no-such-session')).toBe(false);
    expect(await store.getSession('no-such-session')).toBeUndefined();
  });
});

describe('device authorizations', () => {
  it('records one and finds it by its user code', async () => {
    const record = device({ provider: 'corp-saml' });
    expect(await store.putDevice(record, NOW)).toBe(true);
    expect(await store.deviceByUserCode(record.userCode)).toMatchObject({ id: record.id, status: 'pending', provider: 'corp-saml', interval: 5 });
    expect(await store.deviceByUserCode(unique('UC'))).toBeUndefined();
  });

  it('refuses a user code taken by a live authorization, and lets an expired one be drawn again', async () => {
    const first = device();
    expect(await store.putDevice(first, NOW)).toBe(true);
    expect(await store.putDevice(device({ userCode: first.userCode }), NOW)).toBe(false);
    const again = device({ userCode: first.userCode, expiresAt: at(1300) });
    expect(await store.putDevice(again, at(601))).toBe(true);
    // The code now points at its newest authorization only.
    expect((await store.deviceByUserCode(first.userCode))?.id).toBe(again.id);
  });

  it('settles a pending authorization once: a second approval cannot replace the first identity', async () => {
    const record = device();
    await store.putDevice(record, NOW);
    expect(await store.settleDevice(record.id, { status: 'approved', identity: 'sealed-1' })).toBe(true);
    expect(await store.settleDevice(record.id, { status: 'approved', identity: 'sealed-2' })).toBe(false);
    expect(await store.settleDevice(record.id, { status: 'denied' })).toBe(false);
    expect((await store.deviceByUserCode(record.userCode))?.identity).toBe('sealed-1');
  });

  it('lets exactly one of many concurrent settlements win', async () => {
    const record = device();
    await store.putDevice(record, NOW);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.settleDevice(record.id, { status: 'approved', identity: `sealed-${i}` })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('spends an approved authorization once and forgets its identity', async () => {
    const record = device();
    await store.putDevice(record, NOW);
    expect(await store.consumeDevice(record.id)).toBe(false);
    await store.settleDevice(record.id, { status: 'approved', identity: 'sealed' });
    const results = await Promise.all(Array.from({ length: 10 }, () => store.consumeDevice(record.id)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const after = await store.deviceByUserCode(record.userCode);
    expect(after).toMatchObject({ status: 'used' });
    expect(after?.identity).toBeUndefined();
  });

  it('answers polls at the interval, slow_down sooner (each adding 5 s), unknown for another device code', async () => {
    const record = device();
    await store.putDevice(record, NOW);
    expect((await store.pollDevice(record.id, NOW)).kind).toBe('ok');
    const fast = await store.pollDevice(record.id, at(4));
    expect(fast).toMatchObject({ kind: 'slow-down', record: { interval: 10 } });
    // The interval is now 10 s, counted from the last poll (at 4 s).
    expect((await store.pollDevice(record.id, at(13))).kind).toBe('slow-down');
    expect((await store.pollDevice(record.id, at(13 + 15))).kind).toBe('ok');
    expect((await store.pollDevice('no-such-device', NOW)).kind).toBe('unknown');
  });

  it('lets only one of two racing polls through', async () => {
    const record = device();
    await store.putDevice(record, NOW);
    const kinds = (await Promise.all([store.pollDevice(record.id, NOW), store.pollDevice(record.id, NOW)])).map((p) => p.kind).sort();
    expect(kinds).toEqual(['ok', 'slow-down']);
  });
});

describe('wrong user-code counters', () => {
  it('counts per key and starts at zero', async () => {
    const key = unique('203.0.113.7#29000000');
    expect(await store.failures(key)).toBe(0);
    expect(await store.countFailure(key, at(120))).toBe(1);
    expect(await store.countFailure(key, at(120))).toBe(2);
    expect(await store.failures(key)).toBe(2);
    expect(await store.failures(unique('198.51.100.1#29000000'))).toBe(0);
  });

  it('counts every one of concurrent failures', async () => {
    const key = unique('203.0.113.8#29000000');
    await Promise.all(Array.from({ length: 12 }, () => store.countFailure(key, at(120))));
    expect(await store.failures(key)).toBe(12);
  });
});

describe('without the table', () => {
  it('fails closed with REPLAY_STORE_UNAVAILABLE: no session is trusted, no device settled', async () => {
    const broken = createDynamoCliStore(client, 'no-such-table');
    await expect(broken.getSession('x')).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
    await expect(broken.sessionsOf('alice')).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
    await expect(broken.settleDevice('x', { status: 'denied' })).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
    await expect(broken.failures('k')).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
  });
});
