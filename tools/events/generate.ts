// `npm run events`: writes the sample API Gateway events of events/, with subject tokens signed by the DEV ONLY
// key of the `dev-static` provider in config/broker.local.yaml. Tokens are valid for a year from generation
// (that provider accepts tokens up to 366 days old); run it again to refresh them.

import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { formBody, httpApiEvent } from '../lib/lambda-events.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ISSUER = 'https://dev-static.federation-broker.invalid';
const AUDIENCE = 'federation-broker-events';

const jwk = JSON.parse(readFileSync(resolve(import.meta.dirname, 'dev-static.private.jwk.json'), 'utf8')) as JWK & { _comment?: string };
delete jwk._comment;
const key = await importJWK(jwk, 'RS256');

const users = {
  alice: { email: 'alice@example.com', groups: ['aws-dev', 'eng-platform'], department: 'Platform', amr: ['pwd', 'mfa'] },
  bob: { email: 'bob@example.com', groups: ['aws-dev'], department: 'Support', amr: ['pwd'] },
} as const;

export const signDevToken = async (user: keyof typeof users, nowSeconds: number, lifetimeSeconds: number): Promise<string> =>
  new SignJWT({ ...users[user] })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? '', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`dev-static|${user}`)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + lifetimeSeconds)
    .sign(key);

const SAML_ENTITY = 'https://dev-static-saml.federation-broker.invalid';
const samlUsers = {
  alice: { email: 'alice@example.com', groups: ['aws-dev', 'eng-platform'], department: 'Platform', mfa: true },
  bob: { email: 'bob@example.com', groups: ['aws-dev'], department: 'Support', mfa: false },
} as const;

/** A signed IdP-initiated SAML response of the `dev-static-saml` provider, valid for `lifetimeSeconds`. */
export const signDevSamlResponse = async (user: keyof typeof samlUsers, now: Date, lifetimeSeconds: number): Promise<string> => {
  const { createSamlIdp } = await import('../local/dev-saml-response.ts');
  const keys = { privateKeyPem: readFileSync(resolve(import.meta.dirname, 'dev-static-saml.key.pem'), 'utf8'), certPem: readFileSync(resolve(import.meta.dirname, 'dev-static-saml.cert.pem'), 'utf8') };
  const idp = await createSamlIdp({ entityId: SAML_ENTITY, ssoUrl: `${SAML_ENTITY}/sso`, keys });
  const u = samlUsers[user];
  const until = new Date(now.getTime() + lifetimeSeconds * 1000);
  const xml = await idp.loginResponseXml({
    now,
    spEntityId: 'http://127.0.0.1:3000/saml/metadata',
    acsUrl: 'http://127.0.0.1:3000/saml/acs',
    signing: 'both',
    notOnOrAfter: until,
    subjectNotOnOrAfter: until,
    sessionNotOnOrAfter: until,
    user: {
      nameId: u.email,
      attributes: {
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': [u.email],
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': [...u.groups],
        'urn:oid:2.5.4.11': [u.department],
        amr: u.mfa ? ['pwd', 'mfa'] : ['pwd'],
      },
      ...(u.mfa ? { authnContextClassRef: 'https://refeds.org/profile/mfa' } : {}),
    },
  });
  return Buffer.from(xml, 'utf8').toString('base64');
};

/** The sample events carry fixed times and ids, so that regenerating changes only the signed tokens. */
const SAMPLE_TIME = new Date('2026-11-22T12:00:00Z');

const event = (routeKey: string, body: string, contentType = 'application/x-www-form-urlencoded', query = '') => {
  const [method = 'POST', path = '/'] = routeKey.split(' ');
  return httpApiEvent(path, {
    method,
    routeKey,
    query,
    body,
    base64: false,
    headers: { 'content-type': contentType, host: '127.0.0.1:3000', 'user-agent': 'sample-event' },
    host: '127.0.0.1:3000',
    domainPrefix: 'local',
    sourceIp: '127.0.0.1',
    userAgent: 'sample-event',
    requestId: 'sample-request-id',
    time: SAMPLE_TIME,
  });
};

const form = formBody;
const exchange = (token: string, extra: Record<string, string> = {}): string =>
  form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', ...extra });

/** A GET event: no body, no content type. */
const getEvent = (routeKey: string, query: string) => {
  const { body: _body, headers, ...rest } = event(routeKey, '', '', query);
  return { ...rest, headers: { host: headers.host, 'user-agent': headers['user-agent'] } };
};

/** RFC 7636 appendix B: the verifier dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk and its S256 challenge. */
const SAMPLE_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const authorizeQuery = (redirectUri: string): string =>
  form({ response_type: 'code', client_id: 'fbroker', redirect_uri: redirectUri, code_challenge: SAMPLE_CHALLENGE, code_challenge_method: 'S256', state: 'sample-state', provider: 'dev-oidc' });

/** The CLI function's sample events (docs/cli.md): nothing in them is signed, so they never age. */
export const cliEvents = (): Array<[string, unknown]> => [
  ['cli/device-authorization.json', event('POST /cli/device', form({ client_id: 'fbroker' }))],
  ['cli/authorize.json', getEvent('GET /cli/authorize', authorizeQuery('http://127.0.0.1:53682/callback'))],
  ['cli/authorize-not-loopback.json', getEvent('GET /cli/authorize', authorizeQuery('https://evil.example.com/callback'))],
  ['cli/device-page.json', getEvent('GET /cli/device', 'user_code=BCDF-GHJK')],
  ['cli/token-without-dpop.json', event('POST /cli/token', form({ grant_type: 'authorization_code', client_id: 'fbroker', code: 'sample-code', redirect_uri: 'http://127.0.0.1:53682/callback', code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' }))],
  ['cli/revoke.json', event('POST /cli/revoke', form({ token: 'not-a-session' }))],
];

export const write = (file: string, value: unknown): void => {
  const path = resolve(ROOT, 'events', file);
  mkdirSync(resolve(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
};

if (import.meta.main) {
  const now = Math.floor(Date.now() / 1000);
  const year = 366 * 24 * 3600;
  const alice = await signDevToken('alice', now, year);
  const bob = await signDevToken('bob', now, year);
  const expired = await signDevToken('alice', now - 7200, 3600);
  write('token/success.json', event('POST /token', exchange(alice, { audience: 'dev-readonly', duration_seconds: '1800' })));
  write('token/role-not-granted.json', event('POST /token', exchange(bob, { audience: 'dev-readonly' })));
  write('token/expired-token.json', event('POST /token', exchange(expired, { audience: 'dev-readonly' })));
  write('token/malformed-body.json', event('POST /token', '{"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": ', 'application/json'));
  const samlAlice = await signDevSamlResponse('alice', new Date(now * 1000), year);
  const samlBob = await signDevSamlResponse('bob', new Date(now * 1000), year);
  const tampered = Buffer.from(Buffer.from(samlAlice, 'base64').toString('utf8').replace('eng-platform', 'aws-admins')).toString('base64');
  write('saml/idp-initiated.json', event('POST /saml/acs', form({ SAMLResponse: samlAlice, RelayState: 'https://console.aws.amazon.com/s3/home' })));
  write('saml/no-role.json', event('POST /saml/acs', form({ SAMLResponse: samlBob })));
  write('saml/tampered.json', event('POST /saml/acs', form({ SAMLResponse: tampered })));
  write('saml/relaystate-open-redirect.json', event('POST /saml/acs', form({ SAMLResponse: samlAlice, RelayState: 'https://evil.example.com/' })));
  write('saml/metadata.json', { ...event('GET /saml/metadata', ''), body: undefined });
  write('token/saml2-success.json', event('POST /token', form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: samlAlice, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', audience: 'dev-readonly' })));
  for (const [file, value] of cliEvents()) write(file, value);
  write('roles/success.json', event('POST /roles', form({ subject_token: alice, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' })));
  console.log('events/ written: tokens valid until', new Date((now + year) * 1000).toISOString());
}
