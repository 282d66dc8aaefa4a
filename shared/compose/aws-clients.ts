// The broker's AWS SDK clients and the adapters around them, built from the composition's AWS options. Nothing in a
// function's handler bundle imports this module: each function re-exports the part it uses from two second entry
// points (template.yaml EntryPoints) — functions/<fn>/aws.ts, the clients of its request path, and
// functions/<fn>/aws-full.ts, the same plus the SSM client (`ssm:` references) and the KMS client (`kms:` signing
// keys) — and its cold start loads the one its config needs (compose/modules.ts). So a config without `ssm:` or
// `kms:` never compiles those two clients, and a config with them never compiles the SDK's core twice.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { SsmResolver } from '../config/resolve.ts';
import { createSsmResolver } from '../config/ssm.ts';
import { createKmsSigningKey } from '../issuance/kms-signing-key.ts';
import type { SigningKey } from '../issuance/signing-key.ts';
import { createStsAdapter, type StsAdapter, type StsAdapterDeps } from '../issuance/sts.ts';
import type { CliStore } from '../stores/cli-store.ts';
import { createDynamoCliStore } from '../stores/dynamo-cli-store.ts';
import { createDynamoReplayStore } from '../stores/dynamo-replay.ts';
import type { ReplayStore } from '../stores/replay.ts';
import { clientConfig, type AwsOptions } from './aws.ts';

/** One attempt per SDK call: the adapter's own bounded retry loop decides what to retry. `observe`: each call (metrics). */
export const stsAdapterOf = (aws: AwsOptions, hooks: Pick<StsAdapterDeps, 'observe'> = {}): StsAdapter => createStsAdapter(new STSClient(clientConfig(aws, 1)), undefined, hooks);

/** The replay store and the CLI store: one DynamoDB client, one table. `onReplay`: told of each replay refused (metrics). */
export const dynamoStoresOf = (aws: AwsOptions, table: string, hooks: { readonly onReplay?: (kind: string) => void } = {}): { readonly replay: ReplayStore; readonly cli: CliStore } => {
  const client = new DynamoDBClient(clientConfig(aws, 2));
  return { replay: createDynamoReplayStore(client, table, hooks.onReplay), cli: createDynamoCliStore(client, table) };
};

/** KMS signing keys by key id, over one KMS client (built with the first key). */
export const kmsSigningKeysOf = (aws: AwsOptions): ((keyId: string) => SigningKey) => {
  let client: KMSClient | undefined;
  return (keyId) => createKmsSigningKey((client ??= new KMSClient(clientConfig(aws, 2))), keyId);
};

/** Reads `ssm:` references at the cold start. */
export const ssmResolverOf = (aws: AwsOptions): SsmResolver => createSsmResolver(new SSMClient(clientConfig(aws, 3)));

/** What a function's aws.ts or aws-full.ts exports: the members of this module it uses. */
export type AwsClients = Partial<{
  readonly stsAdapterOf: typeof stsAdapterOf;
  readonly dynamoStoresOf: typeof dynamoStoresOf;
  readonly kmsSigningKeysOf: typeof kmsSigningKeysOf;
  readonly ssmResolverOf: typeof ssmResolverOf;
}>;
