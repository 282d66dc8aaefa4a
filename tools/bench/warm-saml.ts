// Bench worker (run by bench.ts in its own process, environment of SamlFunction): warm POST /saml/acs through the
// exported handler on one signed response of the `dev-static-saml` provider (Response and Assertion signed), next
// to samlify's parseLoginResponse with a no-op schema validator and @node-saml/node-saml's
// validatePostResponseAsync on the same response. The replay store's PutItem is answered `{}` in-process at the
// DynamoDB transport, so the one response can be posted again and again while every check still runs.
// Usage: node tools/bench/warm-saml.ts <samples>   (result on fd 3)

import { readFileSync } from 'node:fs';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { Constants, IdentityProvider, ServiceProvider, setSchemaValidator } from 'samlify';
import { composeFromEnvironment } from '../../shared/compose/broker.ts';
import { modulesBeside } from '../../shared/compose/modules.ts';
import { composeSamlRoutes } from '../../shared/compose/saml.ts';
import { brokerHandler } from '../../shared/http/handler.ts';
import { signDevSamlResponse } from '../events/generate.ts';
import { inProcessAws } from './aws-stub.ts';
import { DEV, lambdaContext, samlAcsEvent } from './events.ts';
import { report, sampleInterleaved, summarise } from './stats.ts';

const samples = Number(process.argv[2] ?? 300);

const aws = inProcessAws();
// functions/saml/index.ts, composed with the in-process transport instead of HTTP.
const broker = await composeFromEnvironment(modulesBeside(new URL('../../functions/saml/index.ts', import.meta.url).href), { function: 'saml', requestHandler: aws });
const handler = brokerHandler('page', composeSamlRoutes(broker), broker);

// samlify and node-saml check times against the wall clock: the response is valid from now for an hour.
const samlResponse = await signDevSamlResponse('alice', new Date(), 3600);
const xmlBytes = Buffer.from(samlResponse, 'base64').length;
const event = samlAcsEvent(samlResponse);
const context = lambdaContext('SamlFunction', 'bench-warm-saml');

const viaHandler = async (): Promise<void> => {
  const result = await handler(event, context);
  if (result.statusCode !== 200) throw new Error(`POST /saml/acs answered ${result.statusCode}: ${result.body}`);
};

// samlify as a bare SP: the IdP from the same metadata, no schema validation at all (a no-op validator).
const metadataXml = readFileSync(DEV.samlMetadataFile, 'utf8');
const samlifySp = ServiceProvider({ entityID: DEV.spEntityId, assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: DEV.acsUrl }] });
const samlifyIdp = IdentityProvider({ metadata: metadataXml });
setSchemaValidator({ validate: async () => 'skipped' });
const viaSamlify = async (): Promise<void> => {
  const { extract } = (await samlifySp.parseLoginResponse(samlifyIdp, 'post', { body: { SAMLResponse: samlResponse } })) as { extract: { nameID?: string } };
  if (extract.nameID !== 'alice@example.com') throw new Error('samlify read no NameID');
};

// node-saml with the same certificate, audience and ACS; IdP-initiated, so no InResponseTo to match.
const nodeSaml = new SAML({
  idpCert: readFileSync(DEV.samlCertFile, 'utf8'),
  issuer: DEV.spEntityId,
  audience: DEV.spEntityId,
  callbackUrl: DEV.acsUrl,
  wantAssertionsSigned: true,
  wantAuthnResponseSigned: true,
  validateInResponseTo: ValidateInResponseTo.never,
  acceptedClockSkewMs: 60_000,
});
const viaNodeSaml = async (): Promise<void> => {
  const { profile } = await nodeSaml.validatePostResponseAsync({ SAMLResponse: samlResponse });
  if (profile?.nameID !== 'alice@example.com') throw new Error('node-saml read no NameID');
};

await viaHandler();
await viaSamlify();
await viaNodeSaml();

const times = await sampleInterleaved(
  [
    { name: 'handler', run: viaHandler },
    { name: 'samlify', run: viaSamlify },
    { name: 'nodeSaml', run: viaNodeSaml },
  ],
  { warmup: Math.min(30, samples), samples, block: 10 },
);
if ((aws.calls.get('PutItem') ?? 0) < samples) throw new Error('the handler did not claim the assertion ID on every request');

report({ handler: summarise(times.handler!), samlify: summarise(times.samlify!), nodeSaml: summarise(times.nodeSaml!), responseBytes: xmlBytes });
process.exit(0);
