// The development SAML IdP for `npm start`: samlify as the IdP, keys generated at start (never stored), the
// demo users of the OIDC dev IdP. It serves its metadata, a login page at its SSO URL (SP-initiated, Redirect
// binding) and an IdP-initiated start page; both render plain HTML forms (no script) that POST SAMLResponse
// (+ RelayState) to the broker's ACS URL. Loopback only.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Constants, ServiceProvider } from 'samlify';
import { createSamlIdp, type SamlIdp, type SamlUserClaims } from './dev-saml-response.ts';

const MFA_ACR = 'https://refeds.org/profile/mfa';

/**
 * Attribute Names as a real IdP sends them; the local config maps them to the rules' claim names
 * (`claims: DEV_SAML_CLAIMS`). `amr` is read under its own name (docs/rules.md, the claims object).
 */
export const DEV_SAML_CLAIMS = {
  email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  department: 'urn:oid:2.5.4.11',
} as const;

const user = (email: string, groups: string[], extra: { department?: string; mfa: boolean }): SamlUserClaims => ({
  nameId: email,
  attributes: {
    [DEV_SAML_CLAIMS.email]: [email],
    [DEV_SAML_CLAIMS.groups]: groups,
    ...(extra.department ? { [DEV_SAML_CLAIMS.department]: [extra.department] } : {}),
    amr: extra.mfa ? ['pwd', 'mfa'] : ['pwd'],
  },
  ...(extra.mfa ? { authnContextClassRef: MFA_ACR } : {}),
});

/** The demo users (the same people as the OIDC dev IdP). */
export const DEV_SAML_USERS: Readonly<Record<string, SamlUserClaims>> = {
  alice: user('alice@example.com', ['aws-dev', 'eng-platform'], { department: 'Platform', mfa: true }),
  bob: user('bob@example.com', ['aws-dev'], { mfa: false }),
  carol: user('carol@example.com', ['contractors', 'aws-dev'], { mfa: true }),
};

export interface DevSamlIdp {
  readonly entityId: string;
  readonly metadataXml: string;
  readonly ssoUrl: string;
  stop(): Promise<void>;
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const page = (res: ServerResponse, status: number, acsOrigin: string, body: string): void => {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The ACS may redirect on: to fbroker's loopback listener (CLI sign-in, any port). CSP form-action covers the
    // whole redirect chain of a form post, so those origins are allowed too.
    'content-security-policy': `default-src 'none'; form-action ${acsOrigin} http://127.0.0.1:* http://[::1]:*; base-uri 'none'; frame-ancestors 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev SAML IdP</title></head><body>${body}</body></html>`);
};

export interface DevSamlIdpOptions {
  readonly port?: number;
  readonly spEntityId: string;
  readonly acsUrl: string;
  /** The IdP's clock (tests pass a fixed one). */
  readonly now?: () => Date;
  /** Sign with this key pair (the local stack's DEV ONLY committed pair) instead of a generated one. */
  readonly keys?: { readonly privateKeyPem: string; readonly certPem: string };
}

export const startDevSamlIdp = async (options: DevSamlIdpOptions): Promise<DevSamlIdp> => {
  const now = options.now ?? (() => new Date());
  const acsOrigin = new URL(options.acsUrl).origin;
  const sp = ServiceProvider({ entityID: options.spEntityId, assertionConsumerService: [{ Binding: Constants.namespace.binding.post, Location: options.acsUrl }] });
  let resolveIdp: (idp: SamlIdp) => void = () => undefined;
  const ready = new Promise<SamlIdp>((resolve) => (resolveIdp = resolve));

  /** One form per user, each posting a freshly signed response to the ACS. */
  const userForms = async (idp: SamlIdp, users: readonly string[], inResponseTo: string | undefined, relayState: string | undefined): Promise<string> => {
    const forms = await Promise.all(
      users.map(async (name) => {
        const xml = await idp.loginResponseXml({ now: now(), user: DEV_SAML_USERS[name]!, spEntityId: options.spEntityId, acsUrl: options.acsUrl, signing: 'both', ...(inResponseTo ? { inResponseTo } : {}) });
        const relay = relayState === undefined ? '' : `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">`;
        return `<form method="post" action="${escapeHtml(options.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}">${relay}<button type="submit">Sign in as ${escapeHtml(name)}</button></form>`;
      }),
    );
    return `<h1>Development SAML IdP</h1><p>Choose a demo user (no password: local development only).</p>${forms.join('')}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const idp = await ready;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET') return page(res, 405, acsOrigin, '<p>Method not allowed.</p>');
    if (url.pathname === '/idp/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      return void res.end(idp.metadataXml);
    }
    if (url.pathname === '/idp/sso') {
      const request = await idp.parseAuthnRequest(sp, Object.fromEntries(url.searchParams)).catch(() => undefined);
      // Only the registered SP, and only its registered ACS: an IdP never posts a response elsewhere.
      if (!request || request.issuer !== options.spEntityId || (request.assertionConsumerServiceUrl ?? options.acsUrl) !== options.acsUrl) {
        return page(res, 400, acsOrigin, '<p>Invalid or unknown AuthnRequest.</p>');
      }
      return page(res, 200, acsOrigin, await userForms(idp, Object.keys(DEV_SAML_USERS), request.id, url.searchParams.get('RelayState') ?? undefined));
    }
    if (url.pathname === '/idp/start') {
      const user = url.searchParams.get('user') ?? '';
      if (!Object.hasOwn(DEV_SAML_USERS, user)) return page(res, 404, acsOrigin, '<p>Unknown user.</p>');
      return page(res, 200, acsOrigin, await userForms(idp, [user], undefined, url.searchParams.get('RelayState') ?? undefined));
    }
    return page(res, 404, acsOrigin, '<p>Not found.</p>');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => page(res, 500, acsOrigin, '<p>Internal error.</p>'));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp = await createSamlIdp({ entityId: `${base}/idp/metadata`, ssoUrl: `${base}/idp/sso`, ...(options.keys ? { keys: options.keys } : {}) });
  resolveIdp(idp);
  return {
    entityId: idp.entityId,
    metadataXml: idp.metadataXml,
    ssoUrl: `${base}/idp/sso`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};
