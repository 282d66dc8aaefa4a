// Optional single use of `jti` through the replay store.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError } from '../../../shared/errors.ts';
import { createOidcVerifier } from '../../../shared/oidc/index.ts';
import type { ReplayStore } from '../../../shared/stores/replay.ts';
import { startTestOidcIdp, TEST_NOW, TEST_PROVIDER_ID, type TestOidcIdp } from '../../support/oidc.ts';

let idp: TestOidcIdp;
const t = Math.floor(TEST_NOW.getTime() / 1000);

beforeAll(async () => {
  idp = await startTestOidcIdp();
});
afterAll(() => idp.close());

const memoryReplay = (): ReplayStore & { readonly records: Map<string, Date> } => {
  const records = new Map<string, Date>();
  return {
    records,
    claimOnce: async (key, expiresAt) => {
      if (records.has(key)) throw new BrokerError('REPLAY_DETECTED');
      records.set(key, expiresAt);
    },
  };
};

const setup = async (replay?: ReplayStore) =>
  createOidcVerifier(await idp.config({ singleUseJti: true }), { now: () => TEST_NOW, ...(replay ? { replay } : {}) });

describe('singleUseJti', () => {
  it('accepts a jti once and refuses it the second time', async () => {
    const verifier = await setup(memoryReplay());
    const token = idp.mint({ claims: { jti: 'once' } });

    await expect(verifier.verify(token, TEST_NOW)).resolves.toMatchObject({ jti: 'once' });
    await expect(verifier.verify(token, TEST_NOW)).rejects.toMatchObject({ code: 'REPLAY_DETECTED' });
  });

  it('records the jti under its provider until exp plus the clock skew', async () => {
    const replay = memoryReplay();
    const verifier = await setup(replay);

    await verifier.verify(idp.mint({ claims: { jti: 'kept' } }), TEST_NOW);

    expect([...replay.records]).toEqual([[`jti:${TEST_PROVIDER_ID}:kept`, new Date((t + 300 + 60) * 1000)]]);
  });

  it('refuses a token without jti', async () => {
    const verifier = await setup(memoryReplay());

    await expect(verifier.verify(idp.mint(), TEST_NOW)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('refuses a jti longer than a replay-store key allows', async () => {
    const verifier = await setup(memoryReplay());

    await expect(verifier.verify(idp.mint({ claims: { jti: 'j'.repeat(513) } }), TEST_NOW)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('spends nothing on a dry run (consumeJti: false)', async () => {
    const replay = memoryReplay();
    const verifier = await setup(replay);
    const token = idp.mint({ claims: { jti: 'dry' } });

    await verifier.verify(token, TEST_NOW, { consumeJti: false });

    expect(replay.records.size).toBe(0);
    await expect(verifier.verify(token, TEST_NOW)).resolves.toMatchObject({ jti: 'dry' });
  });

  it('fails closed when no replay store was given', async () => {
    const verifier = await setup();

    await expect(verifier.verify(idp.mint({ claims: { jti: 'x' } }), TEST_NOW)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('passes the replay store failure through', async () => {
    const verifier = await setup({ claimOnce: () => Promise.reject(new BrokerError('REPLAY_STORE_UNAVAILABLE')) });

    await expect(verifier.verify(idp.mint({ claims: { jti: 'x' } }), TEST_NOW)).rejects.toMatchObject({ code: 'REPLAY_STORE_UNAVAILABLE' });
  });

  it('leaves jti alone for providers without singleUseJti', async () => {
    const replay = memoryReplay();
    const verifier = createOidcVerifier(await idp.config(), { now: () => TEST_NOW, replay });

    await verifier.verify(idp.mint({ claims: { jti: 'free' } }), TEST_NOW);
    await expect(verifier.verify(idp.mint({ claims: { jti: 'free' } }), TEST_NOW)).resolves.toMatchObject({ jti: 'free' });
    expect(replay.records.size).toBe(0);
  });
});
