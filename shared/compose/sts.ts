import { STSClient } from '@aws-sdk/client-sts';
import { runtimeSettings } from '../config/runtime.ts';
import { createStsAdapter, type StsAdapter } from '../issuance/sts.ts';
import { awsRequestHandler } from './clients.ts';

let adapter: StsAdapter | undefined;

/** One attempt per SDK call: the adapter's own bounded retry loop decides what to retry. */
export const stsAdapter = (): StsAdapter => {
  adapter ??= createStsAdapter(new STSClient({ region: runtimeSettings().AWS_REGION, maxAttempts: 1, requestHandler: awsRequestHandler() }));
  return adapter;
};
