// How the broker's AWS SDK clients are configured: region and transport from the composition, short timeouts, few
// attempts. A broker on the sign-in path must answer quickly, and the flows retry what is worth retrying themselves.
// The clients themselves are built in compose/aws-clients.ts, which only the functions' AWS entry points bundle.

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

// throwOnRequestTimeout: without it the SDK only warns and a hanging endpoint holds the request until the Lambda times out.
export const HTTP_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true } as const;

/** What an SDK client accepts as `requestHandler`: options for its HTTP handler, or a handler object. */
export type RequestHandlerOption = NonNullable<DynamoDBClientConfig['requestHandler']>;

export interface AwsOptions {
  readonly region: string;
  /** The SDK transport of every client; default: HTTP with the timeouts above. Benchmarks and tests pass their own. */
  readonly requestHandler?: RequestHandlerOption | undefined;
}

/** The options every client of the broker is built with. */
export const clientConfig = (aws: AwsOptions, maxAttempts: number) => ({ region: aws.region, requestHandler: aws.requestHandler ?? HTTP_TIMEOUTS, maxAttempts });
