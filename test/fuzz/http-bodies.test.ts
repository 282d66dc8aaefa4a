// Fuzzing POST /token and POST /roles: random form and JSON bodies, random content types, bodies base64-encoded
// or not (and flagged wrongly). Every input is refused with a 4xx and a stable code within the time bound.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentType, formBody, jsonBody, nastyString } from '../support/fuzz-arbitraries.ts';
import { expectRefused, probe, RUNS, useFuzzBroker } from '../support/fuzz-harness.ts';
import { httpEvent } from '../support/security-broker.ts';

const { broker, rejections } = useFuzzBroker();

/** How the body travels: as sent, base64-encoded and flagged, or flagged base64 without being encoded. */
const encoding = fc.constantFrom('plain', 'base64', 'mislabelled-base64', 'base64-unflagged');

const eventFor = (path: string, body: string, type: string | undefined, how: string) => {
  const event = httpEvent(path, { body, ...(type === undefined ? {} : { contentType: type }), base64: how === 'base64' });
  if (type === undefined) delete (event.headers as Record<string, string>)['content-type'];
  if (how === 'mislabelled-base64') Object.assign(event, { body, isBase64Encoded: true });
  if (how === 'base64-unflagged') Object.assign(event, { body: Buffer.from(body).toString('base64'), isBase64Encoded: false });
  return event;
};

const body = fc.oneof(formBody, jsonBody, nastyString(200));

describe.each(['token', 'roles'] as const)('POST /%s under random bodies', (name) => {
  it('refuses every body cleanly, whatever its content type and encoding', async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, encoding, async (text, type, how) => {
        expectRefused(await probe(broker.handlers[name], eventFor(`/${name}`, text, type, how)));
      }),
      { numRuns: RUNS.light },
    );
    expect(broker.stsCalls()).toBe(0);
  });

  it('refuses well-formed requests whose values are random', async () => {
    const fields = fc.record(
      {
        grant_type: fc.oneof(fc.constant('urn:ietf:params:oauth:grant-type:token-exchange'), nastyString(40)),
        subject_token: fc.oneof(nastyString(200), fc.base64String({ maxLength: 400 })),
        subject_token_type: fc.constantFrom('urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:saml2', 'urn:x'),
        resource: nastyString(80),
        audience: nastyString(70),
        duration_seconds: fc.oneof(fc.integer().map(String), nastyString(10)),
      },
      { requiredKeys: ['subject_token', 'subject_token_type'] },
    );
    await fc.assert(
      fc.asyncProperty(fields, fc.boolean(), async (values, asJson) => {
        const text = asJson ? JSON.stringify(values) : new URLSearchParams(values).toString();
        expectRefused(await probe(broker.handlers[name], httpEvent(`/${name}`, { body: text, contentType: asJson ? 'application/json' : 'application/x-www-form-urlencoded' })));
      }),
      { numRuns: RUNS.normal },
    );
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('after the fuzzing', () => {
  it('left no unhandled rejection and no credential secret in the logs', () => {
    expect(rejections.seen).toEqual([]);
    const text = broker.capture?.text() ?? '';
    for (const secret of [...broker.issuedSecrets, broker.sealingSecret]) expect(text).not.toContain(secret);
  });
});
