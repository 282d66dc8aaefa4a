// Measures the SAML validation options on one ~7 KB signed response (Response and Assertion signed): the
// broker's pipeline (one strict xmldom parse, structure checks, xml-crypto SignedXml on the parsed nodes), the
// same with SignedXml.checkSignature (re-parse + XPath), and samlify's parseLoginResponse with a no-op schema
// validator and with the broker's strict structural validator.
// Run: node tools/local/dev-saml-bench.ts [iterations]

import { XMLSerializer } from '@xmldom/xmldom';
import { ServiceProvider, IdentityProvider, setSchemaValidator, Constants } from 'samlify';
import { SignedXml } from 'xml-crypto';
import { readAssertion } from '../../shared/saml/assertion.ts';
import { readMessage } from '../../shared/saml/message.ts';
import { parseIdpMetadata } from '../../shared/saml/metadata.ts';
import { checkSignatureShapes } from '../../shared/saml/signature-shape.ts';
import { validateSamlStructure } from './samlify-strict.ts';
import { validateSamlResponse } from '../../shared/saml/validate.ts';
import { parseStrictXml } from '../../shared/saml/xml.ts';
import { LIMITS } from '../../shared/saml/constants.ts';
import { createSamlIdp } from './dev-saml-response.ts';

const iterations = Number(process.argv[2] ?? 300);
const spEntityId = 'urn:example:broker';
const acsUrl = 'https://broker.example.com/saml/acs';
const idp = await createSamlIdp({ entityId: 'https://idp.example.com/saml', ssoUrl: 'https://idp.example.com/sso' });
// The bench runs on the wall clock: samlify checks times against it and cannot be told otherwise.
const now = new Date();
const xml = await idp.loginResponseXml({
  now,
  spEntityId,
  acsUrl,
  signing: 'both',
  user: {
    nameId: 'alice@example.com',
    attributes: { email: ['alice@example.com'], groups: ['aws-dev', 'eng-platform'], amr: ['mfa'], department: ['Platform'] },
    authnContextClassRef: 'https://refeds.org/profile/mfa',
  },
});
const samlResponse = Buffer.from(xml).toString('base64');
const provider = { id: 'bench', metadata: parseIdpMetadata(idp.metadataXml), allowIdpInitiated: true, wantAssertionsSigned: false, allowSha1: false };
const ctx = {
  providers: { bench: provider },
  spEntityId,
  acsUrl,
  now,
  clockSkewSeconds: 60,
  maxAssertionAgeSeconds: 600,
  replay: { claimOnce: async () => undefined },
};
const sp = ServiceProvider({ entityID: spEntityId, assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: acsUrl }] });
const samlifyIdp = IdentityProvider({ metadata: idp.metadataXml });

// The alternative measured and NOT used: SignedXml.checkSignature, which re-parses the (serialized) document
// and finds the Reference by XPath ID search, once per signature.
const viaCheckSignature = (): void => {
  const parsed = parseStrictXml(Buffer.from(samlResponse, 'base64').toString('utf8'), LIMITS);
  const message = readMessage(parsed, false);
  const serialized = new XMLSerializer().serializeToString(parsed.root);
  for (const shape of checkSignatureShapes(parsed, [message.response!.element, message.assertion!], false)) {
    const verifier = new SignedXml({ publicCert: provider.metadata.signingCerts[0]!, getCertFromKeyInfo: () => null });
    verifier.loadSignature(shape.signature as never);
    if (!verifier.checkSignature(serialized)) throw new Error('digest');
  }
  readAssertion(message.assertion!);
};

const median = async (name: string, run: () => unknown): Promise<void> => {
  for (let i = 0; i < 30; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): string => times[Math.floor(q * (times.length - 1))]!.toFixed(3);
  console.log(`${name.padEnd(52)} median ${at(0.5)} ms   p90 ${at(0.9)} ms`);
};

console.log(`response: ${xml.length} bytes, ${iterations} iterations, Node ${process.version}`);
await median('strict parse only (xmldom 0.9 + walk)', () => parseStrictXml(xml, LIMITS));
await median('broker validateSamlResponse (full pipeline)', () => validateSamlResponse({ samlResponse }, ctx));
await median('alternative: SignedXml.checkSignature per signature', viaCheckSignature);
const bomb = Buffer.from(xml.replace(/(<ds:Reference [\s\S]*?<\/ds:Reference>)/, (r) => r + r.replace(/<ds:Transforms>[\s\S]*<\/ds:Transforms>/, '').repeat(499))).toString('base64');
await median('broker refuses 500 References (decode+parse+shape)', () => validateSamlResponse({ samlResponse: bomb }, ctx).catch(() => undefined));
setSchemaValidator({ validate: async () => 'skipped' });
await median('samlify parseLoginResponse, no-op validator', () => sp.parseLoginResponse(samlifyIdp, 'post', { body: { SAMLResponse: samlResponse } }));
setSchemaValidator({ validate: validateSamlStructure });
await median('samlify parseLoginResponse, broker strict validator', () => sp.parseLoginResponse(samlifyIdp, 'post', { body: { SAMLResponse: samlResponse } }));
await median('broker strict validator alone (samlify hook)', () => validateSamlStructure(xml));
