// Fuzzing JWT subject tokens on POST /token and POST /roles: random segments, and random JOSE headers and claim
// sets signed with the IdP's key, an attacker's key, HMAC over the public key, or not at all. Beyond "never a 5xx",
// the answer is checked against a reference model of docs/security.md: credentials (or a decision about roles) only for a
// token the model accepts, a token-validation code only for one it refuses. Granted sessions reach STS legal.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { b64url, nastyString } from '../support/fuzz-arbitraries.ts';
import { expectAnswered, probe, RUNS, useFuzzBroker } from '../support/fuzz-harness.ts';
import { createTestKey, signCompact, type Signature, type TestKey } from '../support/oidc.ts';
import { codeOf, form, httpEvent } from '../support/security-broker.ts';
import { expectLegalStsInput, stsInputs } from '../support/security-sts.ts';

const { broker, rejections } = useFuzzBroker();
let attacker: TestKey;

beforeAll(() => {
  attacker = createTestKey('test-key-1');
});

/** Codes that mean "this token is not valid" (as opposed to a decision about a valid one). */
const TOKEN_CODES = new Set([
  'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'TOKEN_TOO_OLD', 'ISSUER_MISMATCH', 'AUDIENCE_MISMATCH', 'SIGNATURE_INVALID',
  'ALGORITHM_NOT_ALLOWED', 'UNKNOWN_KEY', 'UNKNOWN_PROVIDER', 'PAYLOAD_TOO_LARGE', 'REPLAY_DETECTED',
]);

const SKEW = 60;
// Times are far from every boundary (skew 60 s, maximum age 3600 s), so that the model and the broker cannot
// disagree on a second.
const OFFSETS = [-86_400, -7200, -600, -10, 600, 7200];

type SignatureKind = 'idp' | 'attacker' | 'hmac-public' | 'empty' | 'random';

interface Case {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signature: SignatureKind;
}

const now = (): number => Math.floor(Date.now() / 1000);
/** A time claim: seconds from now (resolved when the case is built), or a value of the wrong type. */
const time = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...OFFSETS).map((offset) => ({ offset })) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('soon', null, true) });

/** One change to the valid header: a field set to another value, or removed (undefined). */
const headerEdit: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('alg'), fc.oneof(fc.constantFrom<unknown>('PS256', 'RS512', 'none', 'None', 'HS256', 'ES256', 'EdDSA', 'rs256', '', undefined), fc.integer())),
  fc.tuple(fc.constant('kid'), fc.constantFrom<unknown>('other', '', '../x', 'a'.repeat(200), 7, undefined)),
  fc.tuple(fc.constant('typ'), fc.constantFrom<unknown>('jwt', 'application/jwt', 'at+jwt', 'JOSE', 1, undefined)),
  fc.tuple(fc.constantFrom('jwk', 'jku', 'x5u', 'x5c', 'crit'), fc.constantFrom<unknown>({ kty: 'oct', k: 'AAAA' }, 'http://127.0.0.1:9/k', ['MIIB'], ['exp'])),
  fc.tuple(nastyString(8), fc.jsonValue({ maxDepth: 2 })),
);

/** One change to the valid claims. */
const claimEdit = (issuer: string, clientId: string): fc.Arbitrary<[string, unknown]> =>
  fc.oneof(
    fc.tuple(fc.constant('iss'), fc.constantFrom<unknown>(`${issuer}/`, 'https://evil.example.com', 42, undefined)),
    fc.tuple(fc.constant('aud'), fc.constantFrom<unknown>([clientId], [clientId, 'other'], 'other', [], [42], { a: 1 }, undefined)),
    fc.tuple(fc.constant('azp'), fc.constantFrom<unknown>(clientId, 'other', 7)),
    fc.tuple(fc.constant('sub'), fc.constantFrom<unknown>('', 42, null, ['a'], undefined)),
    fc.tuple(fc.constantFrom('exp', 'iat', 'nbf'), fc.oneof(time, fc.constant(undefined))),
    fc.tuple(fc.constant('jti'), fc.oneof(nastyString(20), fc.constantFrom<unknown>({}, '', 'j'.repeat(600)))),
    fc.tuple(fc.constant('amr'), fc.constantFrom<unknown>(['pwd'], 'mfa', [])),
    fc.tuple(fc.constantFrom('broker:mfa', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 })),
    fc.tuple(nastyString(10), fc.jsonValue({ maxDepth: 3 })),
  );

/** The identity part that varies freely in valid tokens too: what reaches the rules and STS. */
const identityArb = fc.record({
  sub: nastyString(30).filter((s) => s !== ''),
  email: fc.oneof(nastyString(80), fc.array(nastyString(10), { maxLength: 3 })),
  department: fc.oneof(nastyString(300), fc.integer(), fc.constant({})),
  groups: fc.array(fc.oneof(fc.constantFrom('aws-dev', 'aws-web', 'contractors', 'prod-admins', '*', '__proto__'), nastyString(12)), { maxLength: 6 }),
});

const apply = (base: Record<string, unknown>, edits: ReadonlyArray<[string, unknown]>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of edits) {
    const resolved = typeof value === 'object' && value !== null && 'offset' in value ? now() + Number((value as { offset: number }).offset) : value;
    if (resolved === undefined) delete out[name];
    // defineProperty: a claim named __proto__ becomes an own member of the JSON, as an IdP could send it.
    else Object.defineProperty(out, name, { value: resolved, enumerable: true, writable: true, configurable: true });
  }
  return out;
};

const caseArb = (): fc.Arbitrary<Case> =>
  fc
    .record({
      identity: identityArb,
      headerEdits: fc.array(headerEdit, { maxLength: 2 }),
      claimEdits: fc.array(claimEdit(broker.oidc.issuer, broker.oidc.clientId), { maxLength: 3 }),
      signature: fc.oneof({ weight: 6, arbitrary: fc.constant<SignatureKind>('idp') }, { weight: 4, arbitrary: fc.constantFrom<SignatureKind>('attacker', 'hmac-public', 'empty', 'random') }),
    })
    .map(({ identity, headerEdits, claimEdits, signature }) => ({
      header: apply({ alg: 'RS256', typ: 'JWT', kid: broker.oidc.key.kid }, headerEdits),
      claims: apply({ iss: broker.oidc.issuer, aud: broker.oidc.clientId, iat: now() - 10, exp: now() + 600, amr: ['mfa'], ...identity }, claimEdits),
      signature,
    }));

const tokenOf = (c: Case): string => {
  const header = JSON.stringify(c.header);
  const payload = JSON.stringify(c.claims);
  const rsa = /^(RS|PS)(256|384|512)$/.test(String(c.header.alg));
  const signature: Signature | undefined =
    c.signature === 'idp' && rsa ? { key: broker.oidc.key }
    : c.signature === 'attacker' && rsa ? { key: attacker }
    : c.signature === 'hmac-public' ? { hmacSecret: broker.oidc.key.publicPem }
    : c.signature === 'random' ? { raw: b64url('not a signature') }
    : { raw: '' };
  return signCompact(header, payload, signature ?? { raw: '' });
};

/** The reference model of docs/security.md for these tokens: does a valid ID token reach the rules? */
const modelAccepts = (c: Case): boolean => {
  const { header: h, claims: p } = c;
  const now = Date.now() / 1000;
  const clientId = broker.oidc.clientId;
  const audiences = typeof p.aud === 'string' ? [p.aud] : p.aud;
  return (
    c.signature === 'idp' &&
    h.alg === 'RS256' &&
    (h.kid === undefined || h.kid === broker.oidc.key.kid) &&
    ['jwk', 'jku', 'x5u', 'x5c', 'crit'].every((name) => !Object.hasOwn(h, name)) &&
    (h.typ === undefined || (typeof h.typ === 'string' && h.typ.toLowerCase().replace(/^application\//, '') === 'jwt')) &&
    p.iss === broker.oidc.issuer &&
    Array.isArray(audiences) && audiences.length > 0 && audiences.every((a) => typeof a === 'string') && audiences.includes(clientId) &&
    (audiences.length === 1 || p.azp !== undefined) &&
    (p.azp === undefined || p.azp === clientId) &&
    typeof p.sub === 'string' && p.sub !== '' &&
    typeof p.exp === 'number' && p.exp > now - SKEW &&
    typeof p.iat === 'number' && p.iat <= now + SKEW && now - p.iat <= 3600 + SKEW &&
    // exp no later than iat + the maximum token age + skew (nothing outlives the age limit)
    p.exp <= p.iat + 3600 + SKEW &&
    (p.nbf === undefined || (typeof p.nbf === 'number' && p.nbf <= now + SKEW)) &&
    (p.jti === undefined || (typeof p.jti === 'string' && p.jti !== '' && p.jti.length <= 512))
  );
};

const post = (name: 'token' | 'roles', subjectToken: string) =>
  probe(
    broker.handlers[name],
    httpEvent(`/${name}`, {
      body: form({
        ...(name === 'token' ? { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' } : {}),
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }),
    }),
  );

describe('JWT subject tokens: random headers and claims, signed or not', () => {
  it.each(['token', 'roles'] as const)('POST /%s agrees with the reference model and never fails', async (name) => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(caseArb(), async (c) => {
        broker.resetSts();
        const probed = await post(name, tokenOf(c));
        expectAnswered(probed);
        const { result } = probed;
        const code = codeOf(result);
        const valid = modelAccepts(c);
        if (valid) accepted += 1;
        // A valid token gets a decision (grant or a refusal about roles); an invalid one a token-validation code.
        expect({ status: result.statusCode, code, tokenCode: code !== undefined && TOKEN_CODES.has(code) }).toMatchObject(
          valid ? { tokenCode: false } : { tokenCode: true },
        );
        if (result.statusCode === 200 && name === 'token') for (const input of stsInputs(broker)) expectLegalStsInput(input);
        else expect(broker.stsCalls()).toBe(0);
      }),
      { numRuns: RUNS.light },
    );
    // The generator reaches both sides of the model.
    expect(accepted).toBeGreaterThan(5);
  });

  it('refuses random compact serialisations of any shape', async () => {
    const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/), fc.jsonValue({ maxDepth: 3 }).map((v) => b64url(JSON.stringify(v) ?? '')), nastyString(20));
    const token = fc.oneof(fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')), nastyString(200), fc.constant('.'.repeat(20_000)));
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom('token', 'roles') as fc.Arbitrary<'token' | 'roles'>, async (text, name) => {
        const probed = await post(name, text);
        expectAnswered(probed);
        expect(probed.result.statusCode).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS.light },
    );
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('valid tokens with random identities: the session STS sees', () => {
  const SESSION_CODES = ['MISSING_CLAIM', 'MULTI_VALUED_CLAIM', 'SESSION_NAME_INVALID', 'SOURCE_IDENTITY_INVALID', 'DENIED_BY_RULE', 'NO_ROLE_GRANTED', 'ROLE_NOT_GRANTED'];

  it('issues only with legal session names, source identities and tags, or refuses with a session code', async () => {
    let issued = 0;
    const identity = fc.record({
      sub: nastyString(30).filter((s) => s !== ''),
      email: fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 90 }) }, { weight: 1, arbitrary: nastyString(80) }),
      department: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), nastyString(40)),
      groups: fc.array(nastyString(30), { maxLength: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(identity, fc.constantFrom('readonly', 'web'), async (id, role) => {
        broker.resetSts();
        const claims = { ...broker.oidc.claims(new Date()), ...id, groups: [role === 'web' ? 'aws-web' : 'aws-dev', ...id.groups.filter((g) => g !== 'contractors')] };
        const probed = await probe(
          broker.handlers.token,
          httpEvent('/token', {
            body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: broker.oidc.mint({ now: new Date(), claims }), subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', audience: role }),
          }),
        );
        expectAnswered(probed);
        if (probed.result.statusCode === 200) {
          issued += 1;
          const inputs = stsInputs(broker);
          expect(inputs).toHaveLength(1);
          expectLegalStsInput(inputs[0]!);
        } else {
          expect(SESSION_CODES).toContain(codeOf(probed.result));
          expect(broker.stsCalls()).toBe(0);
        }
      }),
      { numRuns: RUNS.normal },
    );
    expect(issued).toBeGreaterThan(RUNS.normal / 2);
  });
});

describe('after the fuzzing', () => {
  it('left no unhandled rejection and no credential secret in the logs', () => {
    expect(rejections.seen).toEqual([]);
    const text = broker.capture?.text() ?? '';
    for (const secret of [...broker.issuedSecrets, broker.sealingSecret]) expect(text).not.toContain(secret);
  });
});
