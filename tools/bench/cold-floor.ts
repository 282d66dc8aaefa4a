// The cold-start floor of POST /token, bundled with TokenFunction's BuildProperties: what any implementation
// must load and do once — jose verifying the RS256 ID token against the local JWKS, and one AssumeRole through
// the SDK (answered by the bench's stub via AWS_ENDPOINT_URL_STS). No config, no rules, no middleware, no audit.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';

const keys = createLocalJWKSet(JSON.parse(readFileSync(resolve('config/dev-keys/dev-static.jwks.json'), 'utf8')) as JSONWebKeySet);
const sts = new STSClient({ region: 'us-east-1', maxAttempts: 1 });

export const handler = async (event: { body?: string }): Promise<{ statusCode: number; body: string }> => {
  const token = new URLSearchParams(event.body ?? '').get('subject_token') ?? '';
  const { payload } = await jwtVerify(token, keys, { algorithms: ['RS256'], issuer: 'https://dev-static.federation-broker.invalid', audience: 'federation-broker-events' });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/DevReadOnly', RoleSessionName: String(payload.email), DurationSeconds: 1800 }));
  return { statusCode: out.Credentials ? 200 : 502, body: JSON.stringify({ AccessKeyId: out.Credentials?.AccessKeyId }) };
};
