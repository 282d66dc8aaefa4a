// The switchable proxy counts every attempt a client makes, or the fault files' "N attempts" rows prove nothing.
// A kept-alive connection closed by a mode switch must be gone from the client's pool before the next request: a
// request written on it would fail with a reset the proxy never sees, and the client's retry would be counted as the
// first attempt (seen once in a full run: "connections reset … in 2 store attempts" counted 1).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig } from '../../shared/compose/aws.ts';
import { dynamoError, startSwitchableProxy, type SwitchableProxy } from './support/peers.ts';

let upstream: Server;
let proxy: SwitchableProxy;

// The broker's own client settings (timeouts, keep-alive agent), two attempts as the replay store has. A client of
// its own per test: the SDK's retry quota (500, 14 a retry) would stop retrying after ~35 failed attempts.
const newClient = (): DynamoDBClient =>
  new DynamoDBClient({
    ...clientConfig({ region: 'eu-west-1' }, 2),
    endpoint: proxy.url,
    credentials: { accessKeyId: 'AKIDPROXYTEST', secretAccessKey: 'proxy-test' },
  });

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TableNames":[]}'));
  });
  await new Promise<void>((listening) => upstream.listen(0, '127.0.0.1', listening));
  proxy = await startSwitchableProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await proxy?.close();
  await new Promise((closed) => upstream?.close(closed));
});

describe('switching the mode right after a kept-alive request', () => {
  it.each([
    ['reset', undefined],
    ['respond', dynamoError(500, 'InternalServerError')],
  ] as const)('counts both attempts of the next request when it fails (%s), every time', async (mode, canned) => {
    const client = newClient();
    try {
      for (let round = 0; round < 10; round += 1) {
        await proxy.setMode('forward');
        await client.send(new ListTablesCommand({})); // leaves a kept-alive connection in the client's pool
        await proxy.setMode(mode, canned);
        const before = proxy.requests();
        await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
        expect({ round, attempts: proxy.requests() - before }).toEqual({ round, attempts: 2 });
      }
    } finally {
      client.destroy();
    }
  });

  it('serves the next request on a new connection after switching back to forward', async () => {
    const client = newClient();
    try {
      await proxy.setMode('forward');
      await client.send(new ListTablesCommand({}));
      await proxy.setMode('reset');
      await proxy.setMode('forward');
      const before = proxy.requests();
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      expect(proxy.requests() - before).toBe(1);
    } finally {
      client.destroy();
    }
  });
});
