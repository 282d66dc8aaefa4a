// A program run under `fbroker exec` (or with `serve`'s exports): the AWS SDK's default credential chain, as any
// SDK-based tool resolves it, prints which access key it got.

import { defaultProvider } from '@aws-sdk/credential-provider-node';

const credentials = await defaultProvider()();
process.stdout.write(JSON.stringify({ accessKeyId: credentials.accessKeyId, hasExpiration: credentials.expiration !== undefined, shadowed: process.env.AWS_ACCESS_KEY_ID ?? null }));
