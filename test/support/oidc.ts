// Test support for OIDC: a discovery + JWKS server on 127.0.0.1 with known RSA keys, and a token minter that can
// produce any token an attacker could (raw header/payload text, alg none, HMAC keyed with public material), so
// that attack tables are built from one valid token by one mutation.

import { createHmac, generateKeyPairSync, randomUUID, sign, constants, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig, type BrokerConfig, type ConfigInput } from '../../shared/config/index.ts';
import { startDevOidcIdp, type DevOidcIdp, type DevOidcIdpOptions } from '../../tools/local/dev-oidc-idp.ts';

/** Tests pass time in; this is the instant every minted token is relative to. */
export const TEST_NOW = new Date('2026-11-22T12:00:00Z');
export const TEST_CLIENT_ID = 'broker-test';
export const TEST_PROVIDER_ID = 'test-oidc';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
  readonly publicPem: string;
}

export const createTestKey = (kid: string = randomUUID()): TestKey => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
};

export type Signature = { readonly key: TestKey } | { readonly hmacSecret: string | Buffer } | { readonly raw: string };

export interface MintOptions {
  /** Merged over { alg: 'RS256', typ: 'JWT', kid }; a value of undefined removes the parameter. */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Merged over valid claims for TEST_NOW; a value of undefined removes the claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Exact JSON text for the header or payload (e.g. duplicate member names); wins over header/claims. */
  readonly rawHeader?: string;
  readonly rawPayload?: string;
  /** Default: RSASSA with the IdP's current key, by the header's alg (RS*, PS*). */
  readonly signature?: Signature;
  readonly now?: Date;
}

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64url');

const merge = (base: Record<string, unknown>, overrides: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
};

const rsaSign = (alg: unknown, input: string, key: TestKey): Buffer => {
  const match = /^(RS|PS)(256|384|512)$/.exec(String(alg));
  if (!match) throw new Error(`the test signer cannot sign ${String(alg)} with an RSA key; pass signature: { raw } or { hmacSecret }`);
  const padding = match[1] === 'PS' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(match[2]) / 8 } : {};
  return sign(`sha${match[2]}`, Buffer.from(input), { key: key.privateKey, ...padding });
};

/** Signs header and payload text as they are: no normalisation, so that malformed tokens can be built. */
export const signCompact = (headerJson: string, payloadJson: string, signature: Signature): string => {
  const input = `${b64(headerJson)}.${b64(payloadJson)}`;
  if ('raw' in signature) return `${input}.${signature.raw}`;
  if ('hmacSecret' in signature) {
    const alg = String((JSON.parse(headerJson) as { alg?: unknown }).alg);
    const bits = /^HS(256|384|512)$/i.exec(alg)?.[1] ?? '256';
    return `${input}.${createHmac(`sha${bits}`, signature.hmacSecret).update(input).digest('base64url')}`;
  }
  return `${input}.${rsaSign((JSON.parse(headerJson) as { alg?: unknown }).alg, input, signature.key).toString('base64url')}`;
};

export interface TestOidcIdp {
  readonly issuer: string;
  readonly clientId: string;
  /** The key minted tokens are signed with (first of the served keys unless changed). */
  key: TestKey;
  /** How many times each document was requested. */
  readonly fetches: { discovery: number; jwks: number };
  /** The keys the JWKS endpoint serves (public parts), or raw JWK objects. */
  serveKeys(keys: ReadonlyArray<TestKey | Record<string, unknown>>): void;
  /** While down, the JWKS endpoint answers 503. */
  setJwksDown(down: boolean): void;
  /** Replaces the discovery document (undefined: the default one). */
  setDiscovery(document: Record<string, unknown> | undefined): void;
  mint(options?: MintOptions): string;
  /** Valid claims for `now` (default TEST_NOW). */
  claims(now?: Date): Record<string, unknown>;
  /** A BrokerConfig with this IdP as provider `test-oidc`; `provider` is merged into its entry. */
  config(provider?: Readonly<Record<string, unknown>>, broker?: Readonly<Record<string, unknown>>): Promise<BrokerConfig>;
  close(): Promise<void>;
}

/** A BrokerConfig with one OIDC provider (`test-oidc`) for `issuer`; no roles or rules. */
export const oidcTestConfig = (
  issuer: string,
  provider: Readonly<Record<string, unknown>> = {},
  broker: Readonly<Record<string, unknown>> = {},
): Promise<BrokerConfig> =>
  buildConfig(
    {
      version: 1,
      broker: { baseUrl: 'https://broker.example.com', ...broker },
      providers: { [TEST_PROVIDER_ID]: { type: 'oidc', issuer, clientId: TEST_CLIENT_ID, ...provider } },
      roles: {},
      rules: [],
    } satisfies ConfigInput,
    '/test/broker.yaml',
    { env: {} },
  );

/** The development IdP (real oidc-provider) with one public and one confidential client, for sign-in tests. */
export const DEV_PUBLIC_CLIENT = { client_id: 'broker-public', redirect_uris: ['http://127.0.0.1:9/oidc/callback'], token_endpoint_auth_method: 'none' } as const;
export const DEV_CONFIDENTIAL_CLIENT = {
  client_id: 'broker-confidential',
  client_secret: 'dev-only-client-secret-for-tests',
  redirect_uris: ['http://127.0.0.1:9/oidc/callback'],
  token_endpoint_auth_method: 'client_secret_basic',
} as const;

export const startTestDevIdp = (options: Partial<DevOidcIdpOptions> = {}): Promise<DevOidcIdp> =>
  startDevOidcIdp({ clients: [DEV_PUBLIC_CLIENT, DEV_CONFIDENTIAL_CLIENT], ...options });

const listen = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

export const startTestOidcIdp = async (options: { readonly clientId?: string } = {}): Promise<TestOidcIdp> => {
  const clientId = options.clientId ?? TEST_CLIENT_ID;
  const fetches = { discovery: 0, jwks: 0 };
  let served: ReadonlyArray<TestKey | Record<string, unknown>> = [];
  let down = false;
  let discovery: Record<string, unknown> | undefined;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      fetches.discovery += 1;
      send(200, discovery ?? { issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['RS256'] });
    } else if (req.url === '/jwks') {
      fetches.jwks += 1;
      if (down) send(503, { error: 'down' });
      else send(200, { keys: served.map((k) => ('publicJwk' in k ? (k as TestKey).publicJwk : k)) });
    } else {
      send(404, { error: 'not found' });
    }
  });
  const issuer = `http://127.0.0.1:${await listen(server)}`;
  const first = createTestKey('test-key-1');
  served = [first];

  const idp: TestOidcIdp = {
    issuer,
    clientId,
    key: first,
    fetches,
    serveKeys: (keys) => {
      served = keys;
    },
    setJwksDown: (value) => {
      down = value;
    },
    setDiscovery: (document) => {
      discovery = document;
    },
    claims: (now = TEST_NOW) => {
      const t = Math.floor(now.getTime() / 1000);
      return { iss: issuer, sub: 'alice', aud: clientId, iat: t - 10, exp: t + 300, email: 'alice@example.com', groups: ['aws-dev'], amr: ['pwd', 'mfa'] };
    },
    mint: (mint = {}) => {
      const header = mint.rawHeader ?? JSON.stringify(merge({ alg: 'RS256', typ: 'JWT', kid: idp.key.kid }, mint.header));
      const payload = mint.rawPayload ?? JSON.stringify(merge(idp.claims(mint.now), mint.claims));
      return signCompact(header, payload, mint.signature ?? { key: idp.key });
    },
    config: (provider = {}, broker = {}) => oidcTestConfig(issuer, { clientId, ...provider }, broker),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return idp;
};
