// SAML at the handler level: test/security/saml.test.ts holds the full attack table against the validator; these
// rows take a few of its mutations through POST /saml/acs (and the same message as a saml2 subject token on
// POST /token), so that the chain event → form → validation → decision → response is covered end to end.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { backtrackingBase64, MAX_XML_BYTES, signedInfoNamespacesAndPrefixList } from '../../tools/bench/saml-adversarial.ts';
import { movedInto, resignedAssertion, textReplaced, withEvilAssertion, withoutSignatures, wrappedInSecondResponse } from '../support/saml-attacks.ts';
import { encode, generateKeyPair, type ResponseOptions } from '../support/saml-idp.ts';
import { Browser, carriesCredentials, codeOf, form, httpEvent, lambdaContext, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { postAcs } from '../support/security-browser.ts';

const broker = useBrokerUnderTest({ resetStsEach: true });
let attacker: { privateKeyPem: string; certPem: string };

beforeAll(async () => {
  attacker = await generateKeyPair('attacker.example');
}, 60_000);

const minutes = (n: number): Date => new Date(Date.now() + n * 60_000);
const xml = (options: ResponseOptions = {}): Promise<string> => broker.saml.xml({ now: new Date(), inResponseTo: undefined, ...options });
const mutated = (mutate: (x: string) => string, options?: ResponseOptions) => async (): Promise<string> => encode(mutate(await xml(options)));
/** base64url (nothing to escape in a form) at the largest size both routes' 256 KB body limit lets through. */
const atBodyLimit = (mutate: (x: string, maxBytes: number) => string) => async (): Promise<string> => Buffer.from(mutate(await xml(), MAX_XML_BYTES - 300)).toString('base64url');

interface Row {
  readonly name: string;
  /** The SAMLResponse field (base64). */
  readonly build: () => Promise<string>;
  /** undefined: accepted. */
  readonly code?: ErrorCode;
  /** Post the message twice; the second answer is the row's. */
  readonly twice?: boolean;
}

const rows: Row[] = [
  { name: 'valid: Assertion signed', build: mutated((x) => x) },
  { name: 'valid: Response signed', build: mutated((x) => x, { signing: 'response' }) },
  { name: 'unsigned response', code: 'SIGNATURE_INVALID', build: mutated(withoutSignatures, { signing: 'both' }) },
  { name: 'wrapping: unsigned evil Assertion before the signed one', code: 'SAML_INVALID', build: mutated((x) => withEvilAssertion(x, 'before')) },
  { name: 'wrapping: signed Assertion moved into Extensions', code: 'SAML_INVALID', build: mutated((x) => movedInto(x, 'Extensions')) },
  { name: 'wrapping: a second Response wraps the signed one', code: 'SAML_INVALID', build: mutated(wrappedInSecondResponse, { signing: 'response' }) },
  { name: 'NameID changed under the signature', code: 'SIGNATURE_INVALID', build: mutated((x) => textReplaced(x, '>alice@example.com</saml:NameID>', '>admin@example.com</saml:NameID>')) },
  { name: 'attacker signs, KeyInfo shows the real IdP certificate', code: 'SIGNATURE_INVALID', build: mutated((x) => resignedAssertion(x, attacker, broker.saml.certPem)) },
  { name: 'replayed', code: 'REPLAY_DETECTED', twice: true, build: mutated((x) => x) },
  { name: 'wrong audience', code: 'AUDIENCE_MISMATCH', build: mutated((x) => x, { audiences: ['urn:example:other-sp'] }) },
  { name: 'Destination another ACS', code: 'DESTINATION_MISMATCH', build: mutated((x) => x, { signing: 'response', destination: 'https://evil.example.com/acs' }) },
  { name: 'Recipient another ACS', code: 'RECIPIENT_MISMATCH', build: mutated((x) => x, { recipient: 'https://evil.example.com/acs' }) },
  { name: 'expired', code: 'TOKEN_EXPIRED', build: mutated((x) => x, { issueInstant: minutes(-8), notOnOrAfter: minutes(-2), subjectNotOnOrAfter: minutes(-2) }) },
  { name: 'an IdP no provider names', code: 'UNKNOWN_PROVIDER', build: mutated((x) => x, { issuer: 'https://unknown.example.com' }) },
  { name: 'DOCTYPE with an external entity', code: 'SAML_INVALID', build: mutated((x) => `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${x.replace('>alice@example.com<', '>&x;<')}`) },
  { name: 'not base64', code: 'SAML_INVALID', build: async () => '<samlp:Response/>' },
  { name: 'oversized', code: 'PAYLOAD_TOO_LARGE', build: async () => (await mutated((x) => x)()) + 'A'.repeat(300 * 1024) },
  // CPU before any signature check (test/security/saml-cpu.test.ts has one row per bound)
  { name: 'CPU: SignatureValue "A", spaces, "!" (quadratic backtracking for the old base64 pattern)', code: 'SIGNATURE_INVALID', build: atBodyLimit(backtrackingBase64('SignatureValue')) },
  { name: 'CPU: namespace declarations on SignedInfo and a PrefixList of thousands of names', code: 'SAML_INVALID', build: atBodyLimit(signedInfoNamespacesAndPrefixList) },
];

type Channel = 'POST /saml/acs' | 'POST /token (saml2)';

const send = (channel: Channel, samlResponse: string): Promise<HandlerResult> =>
  channel === 'POST /saml/acs'
    ? postAcs(broker, new Browser(), { SAMLResponse: samlResponse })
    : broker.handlers.token(
        httpEvent('/token', {
          body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: samlResponse, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', audience: 'readonly' }),
        }),
        lambdaContext,
      );

describe.each(['POST /saml/acs', 'POST /token (saml2)'] as const)('SAML through %s: one mutation of a valid signed response each', (channel) => {
  it.each(rows)('$name', async (row) => {
    const samlResponse = await row.build();
    if (row.twice) {
      expect((await send(channel, samlResponse)).statusCode).toBe(200);
      broker.resetSts();
    }
    const result = await send(channel, samlResponse);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      if (channel === 'POST /saml/acs') expect(result.body).toContain('name="ticket"');
      else expect(JSON.parse(result.body)).toMatchObject({ AccessKeyId: expect.stringMatching(/^ASIA/) });
      return;
    }
    expect(codeOf(result)).toBe(row.code);
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(result.body).not.toContain('name="ticket"');
    expect(carriesCredentials(result)).toBe(false);
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('POST /saml/acs: the form itself', () => {
  it.each([
    ['no SAMLResponse field', 'SAML_INVALID', form({ RelayState: 'x' }), 'application/x-www-form-urlencoded'],
    ['SAMLResponse repeated', 'INVALID_REQUEST', 'SAMLResponse=a&SAMLResponse=b', 'application/x-www-form-urlencoded'],
    ['a JSON body', 'UNSUPPORTED_MEDIA_TYPE', '{"SAMLResponse":"x"}', 'application/json'],
    ['no content type', 'UNSUPPORTED_MEDIA_TYPE', 'SAMLResponse=x', ''],
  ])('%s → %s', async (_name, code, body, contentType) => {
    const result = await broker.handlers.saml(httpEvent('/saml/acs', { body, contentType }), lambdaContext);
    expect(codeOf(result)).toBe(code);
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.statusCode).toBeLessThan(500);
    expect(broker.stsCalls()).toBe(0);
  });

  it('never writes a SAML response or assertion to a log line', () => {
    const text = broker.capture?.text() ?? '';
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/PHNhbWxwOlJlc3BvbnNl|<saml:Assertion|<samlp:Response|SignatureValue/);
  });
});
