// AWS SDK clients, built once per cold start with short timeouts: a broker on the sign-in path must answer
// quickly, and the flows retry what is worth retrying themselves.

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { runtimeSettings } from '../config/runtime.ts';
import { createDynamoReplayStore } from '../stores/dynamo-replay.ts';
import type { ReplayStore } from '../stores/replay.ts';

// throwOnRequestTimeout: without it the SDK only warns and a hanging endpoint holds the request until the Lambda times out.
export const HTTP_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true } as const;

/** What an SDK client accepts as `requestHandler`: options for its HTTP handler, or a handler object. */
export type RequestHandlerOption = NonNullable<DynamoDBClientConfig['requestHandler']>;

let transport: RequestHandlerOption | undefined;
let clientBuilt = false;

/**
 * Benchmarks and tests only: the SDK transport of every AWS client built after this call (DynamoDB, STS, KMS),
 * e.g. an in-process stub answering canned responses. A function to call, never an env var or a config value,
 * so that nothing a deployment sets can switch it on; refused once a client exists, so it is never half-applied.
 */
export const useRequestHandlerForAwsClients = (handler: RequestHandlerOption): void => {
  if (clientBuilt) throw new Error('useRequestHandlerForAwsClients: call it before the first AWS client is built');
  transport = handler;
};

/** The `requestHandler` option of every AWS client of the broker: HTTP with short timeouts, unless replaced above. */
export const awsRequestHandler = (): RequestHandlerOption => {
  clientBuilt = true;
  return transport ?? HTTP_TIMEOUTS;
};

let replay: ReplayStore | undefined;

export const replayStore = (): ReplayStore => {
  const settings = runtimeSettings();
  replay ??= createDynamoReplayStore(new DynamoDBClient({ region: settings.AWS_REGION, maxAttempts: 2, requestHandler: awsRequestHandler() }), settings.REPLAY_TABLE);
  return replay;
};
