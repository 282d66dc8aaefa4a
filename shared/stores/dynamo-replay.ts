// The DynamoDB adapter of the replay store: one conditional PutItem per use, TTL attribute `expiresAt`.
// Keys are hashed: attacker-chosen IDs never reach the table raw and their size is bounded.

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BrokerError } from '../errors.ts';
import { expiryMillis, type ReplayStore } from './replay.ts';

/** TTL deletion is lazy; keep records a little past their expiry so clock skew never frees a key early. */
const TTL_MARGIN_SECONDS = 300;

/** `onReplay`: told the kind of every replay detected (the key's prefix: saml, jti, dpop, …; never the key). */
export const createDynamoReplayStore = (client: DynamoDBClient, tableName: string, onReplay?: (kind: string) => void): ReplayStore => ({
  claimOnce: async (key, expiresAt) => {
    const expires = expiryMillis(expiresAt);
    const kind = key.split(':', 1)[0] ?? 'key';
    const pk = `${kind}#${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
    const ttl = Math.ceil(expires / 1000) + TTL_MARGIN_SECONDS;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: pk }, expiresAt: { N: String(ttl) } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') {
        onReplay?.(kind);
        throw new BrokerError('REPLAY_DETECTED', `${kind} already used`);
      }
      // Fail closed: without the store we cannot tell a first use from a replay.
      throw new BrokerError('REPLAY_STORE_UNAVAILABLE', 'replay store unavailable', { cause: error });
    }
  },
});
