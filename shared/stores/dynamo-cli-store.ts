// The DynamoDB adapter of the CLI store, in the broker's one table (`pk`, TTL attribute `expiresAt`): one item per
// session (`cli-session#<id>`, found by subject through the SessionsBySubject index), per device authorization
// (`cli-device#<hash of the device code>`) and its user code (`cli-user-code#<code>`), and per wrong-code counter.
// Conditional writes keep every state change single (a device code is approved once and spent once).

import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { BrokerError } from '../errors.ts';
import type { CliStore, DeviceRecord, DeviceStatus, PollResult, SessionRecord } from './cli-store.ts';

/** The table's index of sessions by subject (template.yaml). */
export const SESSIONS_INDEX = 'SessionsBySubject';
/** TTL deletion is lazy, and the broker checks every expiry itself; the margin keeps records through clock skew. */
const TTL_MARGIN_SECONDS = 300;
const DEVICE_POLL_STEP_SECONDS = 5;

type Item = Record<string, AttributeValue>;

const ttl = (date: Date): AttributeValue => ({ N: String(Math.ceil(date.getTime() / 1000) + TTL_MARGIN_SECONDS) });
const str = (item: Item, name: string): string | undefined => item[name]?.S;
const num = (item: Item, name: string): number | undefined => (item[name]?.N === undefined ? undefined : Number(item[name]?.N));
const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';

const sessionKey = (id: string): Item => ({ pk: { S: `cli-session#${id}` } });
const deviceKey = (id: string): Item => ({ pk: { S: `cli-device#${id}` } });
const userCodeKey = (code: string): Item => ({ pk: { S: `cli-user-code#${code}` } });

const sessionOf = (item: Item): SessionRecord | undefined => {
  const id = str(item, 'sessionId');
  const provider = str(item, 'provider');
  const subject = str(item, 'subject');
  const created = num(item, 'createdAt');
  const expires = num(item, 'sessionExpiresAt');
  if (!id || !provider || subject === undefined || created === undefined || expires === undefined) return undefined;
  return { id, provider, subject, createdAt: new Date(created), expiresAt: new Date(expires), revoked: item.revoked?.BOOL === true };
};

const STATUSES: readonly DeviceStatus[] = ['pending', 'approved', 'denied', 'used'];
const deviceOf = (item: Item): DeviceRecord | undefined => {
  const id = str(item, 'deviceId');
  const userCode = str(item, 'userCode');
  const status = str(item, 'status') as DeviceStatus | undefined;
  const expires = num(item, 'deviceExpiresAt');
  const interval = num(item, 'interval');
  if (!id || !userCode || !status || !STATUSES.includes(status) || expires === undefined || interval === undefined) return undefined;
  return { id, userCode, provider: str(item, 'provider'), status, expiresAt: new Date(expires), interval, lastPollAt: num(item, 'lastPollAt'), identity: str(item, 'identity') };
};

export const createDynamoCliStore = (client: DynamoDBClient, tableName: string): CliStore => {
  /** Every call fails closed: without the table, no session is trusted and no device code is settled. */
  const send = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (isConditionFailure(error)) throw error;
      throw new BrokerError('REPLAY_STORE_UNAVAILABLE', `the broker table cannot be reached (${what})`, { cause: error });
    }
  };
  /** A conditional write: true when it applied, false when its condition did not hold. */
  const conditional = async (what: string, call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await send(what, call);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
  const get = async (what: string, key: Item): Promise<Item | undefined> =>
    (await send(what, () => client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })))).Item;

  return {
    putSession: async (record) => {
      await send('put session', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...sessionKey(record.id),
              kind: { S: 'cli-session' },
              sessionId: { S: record.id },
              provider: { S: record.provider },
              subject: { S: record.subject },
              createdAt: { N: String(record.createdAt.getTime()) },
              sessionExpiresAt: { N: String(record.expiresAt.getTime()) },
              revoked: { BOOL: record.revoked },
              expiresAt: ttl(record.expiresAt),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
    getSession: async (id) => {
      const item = await get('get session', sessionKey(id));
      return item && sessionOf(item);
    },
    revokeSession: (id) =>
      conditional('revoke session', () =>
        client.send(new UpdateItemCommand({ TableName: tableName, Key: sessionKey(id), UpdateExpression: 'SET #r = :t', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: { '#r': 'revoked' }, ExpressionAttributeValues: { ':t': { BOOL: true } } })),
      ),
    sessionsOf: async (subject, provider) => {
      const out: SessionRecord[] = [];
      let start: Item | undefined;
      do {
        const page = await send('list sessions', () =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: SESSIONS_INDEX,
              KeyConditionExpression: '#sub = :s',
              ExpressionAttributeNames: { '#sub': 'subject' },
              ExpressionAttributeValues: { ':s': { S: subject } },
              ExclusiveStartKey: start,
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const record = sessionOf(item);
          if (record && (provider === undefined || record.provider === provider)) out.push(record);
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },

    putDevice: async (record, now) => {
      // The user code first: it must be unique among live authorizations (a clash draws another code).
      const claimed = await conditional('put user code', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { ...userCodeKey(record.userCode), kind: { S: 'cli-user-code' }, deviceId: { S: record.id }, expiresAt: ttl(record.expiresAt), deviceExpiresAt: { N: String(record.expiresAt.getTime()) } },
            // A code whose authorization has expired may be drawn again.
            ConditionExpression: 'attribute_not_exists(pk) OR #d < :now',
            ExpressionAttributeNames: { '#d': 'deviceExpiresAt' },
            ExpressionAttributeValues: { ':now': { N: String(now.getTime()) } },
          }),
        ),
      );
      if (!claimed) return false;
      await send('put device', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...deviceKey(record.id),
              kind: { S: 'cli-device' },
              deviceId: { S: record.id },
              userCode: { S: record.userCode },
              status: { S: record.status },
              interval: { N: String(record.interval) },
              deviceExpiresAt: { N: String(record.expiresAt.getTime()) },
              expiresAt: ttl(record.expiresAt),
              ...(record.provider === undefined ? {} : { provider: { S: record.provider } }),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return true;
    },
    deviceByUserCode: async (userCode) => {
      const index = await get('get user code', userCodeKey(userCode));
      const id = index && str(index, 'deviceId');
      if (!id) return undefined;
      const item = await get('get device', deviceKey(id));
      const record = item && deviceOf(item);
      // The index entry and the authorization must agree (a reused code points at its newest authorization only).
      return record && record.userCode === userCode ? record : undefined;
    },
    settleDevice: (id, outcome) =>
      conditional('settle device', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: deviceKey(id),
            UpdateExpression: outcome.status === 'approved' ? 'SET #s = :to, #id = :identity' : 'SET #s = :to',
            ConditionExpression: '#s = :pending',
            ExpressionAttributeNames: { '#s': 'status', ...(outcome.status === 'approved' ? { '#id': 'identity' } : {}) },
            ExpressionAttributeValues: {
              ':to': { S: outcome.status },
              ':pending': { S: 'pending' },
              ...(outcome.status === 'approved' ? { ':identity': { S: outcome.identity } } : {}),
            },
          }),
        ),
      ),
    pollDevice: async (id, now): Promise<PollResult> => {
      const item = await get('get device', deviceKey(id));
      const record = item && deviceOf(item);
      if (!record) return { kind: 'unknown' };
      const t = now.getTime();
      // One poll per interval: the write succeeds only if the last poll is old enough, so racing polls cannot both pass.
      const ok = await conditional('poll device', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: deviceKey(id),
            UpdateExpression: 'SET #p = :now',
            ConditionExpression: 'attribute_not_exists(#p) OR #p <= :due',
            ExpressionAttributeNames: { '#p': 'lastPollAt' },
            ExpressionAttributeValues: { ':now': { N: String(t) }, ':due': { N: String(t - record.interval * 1000) } },
          }),
        ),
      );
      if (ok) return { kind: 'ok', record };
      await send('slow down device', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: deviceKey(id),
            UpdateExpression: 'SET #p = :now ADD #i :step',
            ExpressionAttributeNames: { '#p': 'lastPollAt', '#i': 'interval' },
            ExpressionAttributeValues: { ':now': { N: String(t) }, ':step': { N: String(DEVICE_POLL_STEP_SECONDS) } },
          }),
        ),
      );
      return { kind: 'slow-down', record: { ...record, interval: record.interval + DEVICE_POLL_STEP_SECONDS } };
    },
    consumeDevice: (id) =>
      conditional('consume device', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: deviceKey(id),
            UpdateExpression: 'SET #s = :used REMOVE #id',
            ConditionExpression: '#s = :approved',
            ExpressionAttributeNames: { '#s': 'status', '#id': 'identity' },
            ExpressionAttributeValues: { ':used': { S: 'used' }, ':approved': { S: 'approved' } },
          }),
        ),
      ),

    countFailure: async (key, until) => {
      const out = await send('count failure', () =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: `cli-guess#${key}` } },
            UpdateExpression: 'ADD #f :one SET #e = :ttl',
            ExpressionAttributeNames: { '#f': 'failures', '#e': 'expiresAt' },
            ExpressionAttributeValues: { ':one': { N: '1' }, ':ttl': ttl(until) },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      return Number(out.Attributes?.failures?.N ?? '1');
    },
    failures: async (key) => {
      const item = await get('get failures', { pk: { S: `cli-guess#${key}` } });
      return item ? (num(item, 'failures') ?? 0) : 0;
    },
  };
};
