// The one helper that boots a broker with its local peers: the config written and checked before anything starts,
// dynalite with the replay table, the offline STS (or none, for an in-process mock), proxies in front when asked,
// the functions' environment, and everything stopped and removed again at stop.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent, lambdaContext } from '../../../tools/lib/lambda-events.ts';
import { bootBroker, type BootOptions, type Front } from '../../../tools/local/boot.ts';
import { LOCAL_CREDENTIALS } from '../../../tools/local/dynamo.ts';
import { captureOutput, type Capture } from '../../support/capture.ts';

const CONFIG = { version: 1, broker: { baseUrl: 'https://broker.example.com' }, providers: {}, roles: {}, rules: [] };
const boot = (options: Partial<BootOptions> & { target: NodeJS.ProcessEnv }) => bootBroker({ config: { document: CONFIG }, replayTable: 'replay-boot', ...options });

const reachable = async (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

describe('bootBroker', () => {
  it('writes the config and the files beside it, starts dynalite with the replay table and the offline STS, and sets the environment', async () => {
    const target: NodeJS.ProcessEnv = {};
    const booted = await boot({ config: { document: CONFIG, files: { 'keys/idp.xml': '<x/>' } }, env: { EXTRA: 'yes' }, target });
    try {
      expect(existsSync(join(dirname(booted.configFile), 'keys/idp.xml'))).toBe(true);
      expect(booted.config.broker.baseUrl).toBe('https://broker.example.com');
      expect(target).toEqual({
        BROKER_CONFIG: booted.configFile,
        REPLAY_TABLE: 'replay-boot',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_DYNAMODB: booted.dynamoEndpoint,
        AWS_ENDPOINT_URL_STS: booted.stsEmulator?.url,
        EXTRA: 'yes',
      });
      const client = new DynamoDBClient({ endpoint: booted.dynamoEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'replay-boot' }));
      client.destroy();
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(await reachable(booted.stsEmulator?.url ?? '')).toBe(true);
    } finally {
      await booted.stop();
    }
    expect(existsSync(booted.configFile)).toBe(false);
    expect(await reachable(booted.dynamoEndpoint)).toBe(false);
    expect(await reachable(booted.stsEmulator?.url ?? '')).toBe(false);
  });

  it('uses a config file as it is, and leaves it in place at stop', async () => {
    const first = await boot({ target: {} });
    try {
      const second = await boot({ config: { file: first.configFile }, sts: 'in-process', target: {} });
      await second.stop();
      expect(existsSync(first.configFile)).toBe(true);
    } finally {
      await first.stop();
    }
  });

  it('refuses a bad config before starting anything: no peer, no environment', async () => {
    const target: NodeJS.ProcessEnv = {};
    let fronted = false;
    const front: Front = async (endpoint) => {
      fronted = true;
      return { url: endpoint, close: async () => undefined };
    };
    await expect(boot({ config: { document: { version: 1, broker: {} } }, front: { dynamo: front }, target })).rejects.toMatchObject({ name: 'ConfigError' });
    expect(fronted).toBe(false);
    expect(target).toEqual({});
  });

  it('refuses a file that would land outside the config folder', async () => {
    await expect(boot({ config: { document: CONFIG, files: { '../escape.txt': 'x' } }, target: {} })).rejects.toThrow(/outside the config folder/);
  });

  it('puts a front before a peer: the functions get its URL, and it is closed at stop', async () => {
    const target: NodeJS.ProcessEnv = {};
    const seen: string[] = [];
    let closed = 0;
    const front: Front = async (endpoint) => {
      seen.push(endpoint);
      return { url: 'http://127.0.0.1:9/front', close: async () => void (closed += 1) };
    };
    const booted = await boot({ front: { dynamo: front, sts: front }, target });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe(booted.stsEmulator?.url);
    expect([target.AWS_ENDPOINT_URL_DYNAMODB, target.AWS_ENDPOINT_URL_STS]).toEqual(['http://127.0.0.1:9/front', 'http://127.0.0.1:9/front']);
    await booted.stop();
    expect(closed).toBe(2);
  });

  it('leaves STS to an in-process mock (no endpoint, a stale one removed), or uses the endpoint given', async () => {
    const target: NodeJS.ProcessEnv = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:1' };
    const inProcess = await boot({ sts: 'in-process', target });
    await inProcess.stop();
    expect(inProcess.stsEmulator).toBeUndefined();
    expect(target).not.toHaveProperty('AWS_ENDPOINT_URL_STS');
    const given = await boot({ sts: { endpoint: 'https://sts.example.com' }, target });
    await given.stop();
    expect(given.stsEmulator).toBeUndefined();
    expect(target.AWS_ENDPOINT_URL_STS).toBe('https://sts.example.com');
  });

  it.each([
    ['local', {}, true],
    ['when-unset', { AWS_PROFILE: 'dev' }, false],
    ['when-unset', { AWS_ACCESS_KEY_ID: 'AKIAREAL', AWS_SECRET_ACCESS_KEY: 'real' }, false],
    [undefined, {}, false],
  ] as const)('credentials %s with %j: fake local credentials written: %s', async (credentials, preset, written) => {
    const target: NodeJS.ProcessEnv = { ...preset };
    const booted = await boot({ sts: 'in-process', credentials, target });
    await booted.stop();
    expect(target.AWS_ACCESS_KEY_ID === LOCAL_CREDENTIALS.accessKeyId).toBe(written);
  });

  it('writes no fake credentials for an endpoint off this machine', async () => {
    const target: NodeJS.ProcessEnv = {};
    const booted = await boot({ sts: { endpoint: 'https://sts.us-east-1.amazonaws.com' }, credentials: 'when-unset', target });
    await booted.stop();
    expect(target).not.toHaveProperty('AWS_ACCESS_KEY_ID');
  });
});

describe('the handlers of a booted broker', () => {
  let capture: Capture;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(() => {
    capture = captureOutput();
  });
  afterAll(async () => {
    await stop?.();
    capture.restore();
  });

  it('are imported in the booted environment and answer', async () => {
    const booted = await bootBroker({ config: { document: CONFIG }, replayTable: 'replay-boot', sts: 'in-process', credentials: 'local' });
    stop = booted.stop;
    const web = await booted.handler('web');
    const result = await web(httpApiEvent('/'), lambdaContext({ functionName: 'WebFunction' }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('No provider is configured for browser sign-in.');
  });
});
