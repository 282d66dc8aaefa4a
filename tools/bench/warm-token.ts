// Bench worker (run by bench.ts in its own process, environment of TokenFunction): warm POST /token through the
// exported handler — RS256 ID token of the `dev-static` provider (local JWKS file), STS answered in-process at
// the SDK transport — next to the floor: jose jwtVerify with the same key set and claims, plus the same STS send.
// And POST /token with a broker session (CLI sign-in) instead of the ID token: the session minted by the real
// /cli/token flow from the same identity, each request with its own DPoP proof by panva's `dpop` client (made
// before the timed part), DynamoDB (the DPoP jti claim, the session record) answered in-process too.
// Usage: node tools/bench/warm-token.ts <samples>   (result on fd 3)

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { generateKeyPair, generateProof } from 'dpop';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { composeCliRoutes } from '../../shared/compose/cli.ts';
import { codeSealer, replayOf } from '../../shared/compose/services.ts';
import { fromOidc } from '../../shared/identity/verified-identity.ts';
import { cliChannel } from '../../shared/http/routes/cli.ts';
import { createOidcVerifier } from '../../shared/oidc/index.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeTokenRoutes } from '../../shared/compose/token.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { signDevToken } from '../events/generate.ts';
import { inProcessAws } from './aws-stub.ts';
import { cliCodeEvent, DEV, lambdaContext, sessionExchangeEvent, tokenExchangeEvent } from './events.ts';
import { report, sampleInterleaved, summarise } from './stats.ts';

const samples = Number(process.argv[2] ?? 3000);

const handlerAws = inProcessAws();
// functions/token/index.ts, composed with the in-process transport instead of HTTP.
const modules = modulesBeside(new URL('../../functions/token/index.ts', import.meta.url).href);
const broker = await composeFromEnvironment(modules, { function: 'token', requestHandler: handlerAws });
const handler = brokerHandler('api', composeTokenRoutes(broker, modules.saml2), broker);

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

// The session path: its own broker (and transport, which remembers the session record /cli/token writes).
const sessionAws = inProcessAws({ remember: true });
const sessionBroker = await composeFromEnvironment(modules, { function: 'token', requestHandler: sessionAws });
const sessionHandler = brokerHandler('api', composeTokenRoutes(sessionBroker, modules.saml2), sessionBroker);
const cliHandler = brokerHandler(cliChannel, composeCliRoutes(sessionBroker), sessionBroker);
const cliKey = await generateKeyPair('ES256');

/** `fbroker login` without the browser: alice's identity as her IdP proved it, in a code for a loopback listener, redeemed at /cli/token. */
const mintSession = async (): Promise<string> => {
  const identity = fromOidc(await createOidcVerifier(sessionBroker.config, { replay: replayOf(sessionBroker) }).verify(token, new Date()));
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const code = codeSealer(sessionBroker).seal(
    { id: randomBytes(16).toString('base64url'), identity, redirectUri, codeChallenge: createHash('sha256').update(verifier).digest('base64url') },
    new Date(Date.now() + 60_000),
  );
  const fields = { grant_type: 'authorization_code', client_id: 'fbroker', code, redirect_uri: redirectUri, code_verifier: verifier };
  const result = await cliHandler(cliCodeEvent(fields, await generateProof(cliKey, `${DEV.baseUrl}/cli/token`, 'POST')), lambdaContext('CliFunction', 'bench-mint-session'));
  if (result.statusCode !== 200) throw new Error(`POST /cli/token answered ${result.statusCode}: ${result.body}`);
  return (JSON.parse(result.body ?? '') as { access_token: string }).access_token;
};
const session = await mintSession();

// One proof per request (each jti is spent once), all made now; they stay fresh for the broker's 120 s + skew.
const warmup = Math.min(300, samples);
const sessionEvents = await Promise.all(
  Array.from({ length: warmup + samples + 1 }, async () => sessionExchangeEvent(session, await generateProof(cliKey, `${DEV.baseUrl}/token`, 'POST', undefined, session))),
);
let nextSession = 0;
const viaSession = async (): Promise<void> => {
  const event = sessionEvents[nextSession++];
  if (event === undefined) throw new Error('out of DPoP proofs');
  const result = await sessionHandler(event, context);
  if (result.statusCode !== 200) throw new Error(`POST /token (session) answered ${result.statusCode}: ${result.body}`);
};

// Every side must make the same STS call, or the comparison means nothing.
await viaHandler();
await floor();
await viaSession();
const [handlerBody, floorBody, sessionBody] = [handlerAws.firstBodies.get('AssumeRole'), floorAws.firstBodies.get('AssumeRole'), sessionAws.firstBodies.get('AssumeRole')];
if (handlerBody === undefined || handlerBody !== floorBody) throw new Error(`the floor's AssumeRole differs from the handler's:\n${handlerBody}\n${floorBody}`);
// The session bounds the duration too, but 1800 s is well inside it: the same AssumeRole as from the ID token.
if (sessionBody !== handlerBody) throw new Error(`the session's AssumeRole differs from the ID token's:\n${sessionBody}\n${handlerBody}`);

const started = Date.now();
const times = await sampleInterleaved(
  [
    { name: 'handler', run: viaHandler },
    { name: 'floor', run: floor },
    { name: 'session', run: viaSession },
  ],
  { warmup, samples, block: 50 },
);
if ((handlerAws.calls.get('AssumeRole') ?? 0) < samples) throw new Error('the handler did not call STS on every request');
if ((sessionAws.calls.get('AssumeRole') ?? 0) < samples || (sessionAws.calls.get('GetItem') ?? 0) < samples) throw new Error('the session path did not read its record and call STS on every request');

report({
  handler: summarise(times.handler!),
  floor: summarise(times.floor!),
  session: summarise(times.session!),
  tokenBytes: token.length,
  sessionBytes: session.length,
  proofBytes: sessionEvents[0]?.headers.dpop?.length ?? 0,
  samplingSeconds: (Date.now() - started) / 1000,
  stsRequest: handlerBody,
});
process.exit(0);
