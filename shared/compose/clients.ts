// AWS SDK clients, built once per cold start with short timeouts: a broker on the sign-in path must answer
// quickly, and the flows retry what is worth retrying themselves.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runtimeSettings } from '../config/runtime.ts';
import { createDynamoReplayStore } from '../stores/dynamo-replay.ts';
import type { ReplayStore } from '../stores/replay.ts';

export const HTTP_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000 } as const;

let replay: ReplayStore | undefined;

export const replayStore = (): ReplayStore => {
  const settings = runtimeSettings();
  replay ??= createDynamoReplayStore(new DynamoDBClient({ region: settings.AWS_REGION, maxAttempts: 2, requestHandler: HTTP_TIMEOUTS }), settings.REPLAY_TABLE);
  return replay;
};
