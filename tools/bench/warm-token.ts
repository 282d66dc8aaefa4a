// Bench worker (run by bench.ts in its own process, environment of TokenFunction): warm POST /token through the
// exported handler — RS256 ID token of the `dev-static` provider (local JWKS file), STS answered in-process at
// the SDK transport — next to the floor: jose jwtVerify with the same key set and claims, plus the same STS send.
// Usage: node tools/bench/warm-token.ts <samples>   (result on fd 3)

import { readFileSync } from 'node:fs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { samlSubjectBeside } from '../../shared/compose/subject.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { signDevToken } from '../events/generate.ts';
import { inProcessAws } from './aws-stub.ts';
import { DEV, lambdaContext, tokenExchangeEvent } from './events.ts';
import { report, sampleInterleaved, summarise } from './stats.ts';

const samples = Number(process.argv[2] ?? 3000);

const handlerAws = inProcessAws();
// functions/token/index.ts, composed with the in-process transport instead of HTTP.
const broker = await composeFromEnvironment({ function: 'token', requestHandler: handlerAws });
const handler = brokerHandler('api', composeTokenRoutes(broker, samlSubjectBeside(new URL('../../functions/token/index.ts', import.meta.url).href)), broker);

const token = await signDevToken('alice', Math.floor(Date.now() / 1000), 3600);
const event = tokenExchangeEvent(token);
const context = lambdaContext('TokenFunction', 'bench-warm-token');

const viaHandler = async (): Promise<void> => {
  const result = await handler(event, context);
  if (result.statusCode !== 200) throw new Error(`POST /token answered ${result.statusCode}: ${result.body}`);
};

// The floor: what any /token must do at least — verify the JWT with jose, one AssumeRole through the SDK.
const floorAws = inProcessAws();
const keys = createLocalJWKSet(JSON.parse(readFileSync(DEV.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
const sts = new STSClient({ region: 'us-east-1', maxAttempts: 1, requestHandler: floorAws });
// The session parameters rule `engineers-readonly` of config/broker.local.yaml gives alice.
const assumeRole = {
  RoleArn: 'arn:aws:iam::111122223333:role/DevReadOnly',
  RoleSessionName: 'alice@example.com',
  DurationSeconds: 1800,
  SourceIdentity: 'alice@example.com',
  Tags: [
    { Key: 'Team', Value: 'Platform' },
    { Key: 'Provider', Value: 'dev-static' },
  ],
  TransitiveTagKeys: ['Team'],
};
const floor = async (): Promise<void> => {
  await jwtVerify(token, keys, {
    algorithms: ['RS256'],
    issuer: DEV.oidcIssuer,
    audience: [DEV.oidcAudience],
    requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'],
    clockTolerance: 60,
    maxTokenAge: 31_622_400,
  });
  const out = await sts.send(new AssumeRoleCommand(assumeRole));
  if (!out.Credentials?.SessionToken) throw new Error('no credentials');
};

// Both sides must make the same STS call, or the comparison means nothing.
await viaHandler();
await floor();
const [handlerBody, floorBody] = [handlerAws.firstBodies.get('AssumeRole'), floorAws.firstBodies.get('AssumeRole')];
if (handlerBody === undefined || handlerBody !== floorBody) throw new Error(`the floor's AssumeRole differs from the handler's:\n${handlerBody}\n${floorBody}`);

const times = await sampleInterleaved(
  [
    { name: 'handler', run: viaHandler },
    { name: 'floor', run: floor },
  ],
  { warmup: Math.min(300, samples), samples, block: 50 },
);
if ((handlerAws.calls.get('AssumeRole') ?? 0) < samples) throw new Error('the handler did not call STS on every request');

report({ handler: summarise(times.handler!), floor: summarise(times.floor!), tokenBytes: token.length, stsRequest: handlerBody });
process.exit(0);
