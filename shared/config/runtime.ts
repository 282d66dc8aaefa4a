// Runtime settings from the function's environment (template.yaml Globals / env.json), parsed once.
// Only the config module reads process.env.

import * as z from 'zod/mini';

const runtimeSchema = z.object({
  REPLAY_TABLE: z._default(z.string().check(z.minLength(1)), 'federation-broker-replay'),
  SIGNING_KEY_ARN: z.optional(z.string()),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
});

export type RuntimeSettings = z.output<typeof runtimeSchema>;

let cached: RuntimeSettings | undefined;

export const runtimeSettings = (): RuntimeSettings => {
  cached ??= runtimeSchema.parse(process.env);
  return cached;
};

export const resetRuntimeSettings = (): void => {
  cached = undefined;
};
