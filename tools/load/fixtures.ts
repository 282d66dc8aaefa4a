// Subject material for the load run, made before the clock starts: ID tokens of the `dev-static` provider
// (tools/events/generate.ts signDevToken) and signed IdP-initiated SAML responses of `dev-static-saml`, each with its
// own assertion ID. signDevSamlResponse addresses its responses to http://127.0.0.1:3000; the load run's broker
// listens on a free port, so the same DEV ONLY key and the same attributes are used here with the run's URLs.
// SAML signing costs ~13 ms a response: the pool is made by worker threads, one per core.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const EVENTS = resolve(import.meta.dirname, '../events');
const SAML_ENTITY = 'https://dev-static-saml.federation-broker.invalid';

/** `count` ID tokens for alice, valid for `lifetimeSeconds` (the provider accepts up to a year-old `iat`). */
export const idTokens = async (count: number, lifetimeSeconds: number): Promise<string[]> => {
  const { signDevToken } = await import('../events/generate.ts');
  const now = Math.floor(Date.now() / 1000);
  return Promise.all(Array.from({ length: count }, (_, i) => signDevToken('alice', now - (i % 60), lifetimeSeconds)));
};

interface SamlJob {
  readonly count: number;
  readonly baseUrl: string;
  readonly lifetimeSeconds: number;
}

const signSaml = async (job: SamlJob): Promise<string[]> => {
  const { createSamlIdp } = await import('../local/dev-saml-response.ts');
  const keys = { privateKeyPem: readFileSync(resolve(EVENTS, 'dev-static-saml.key.pem'), 'utf8'), certPem: readFileSync(resolve(EVENTS, 'dev-static-saml.cert.pem'), 'utf8') };
  const idp = await createSamlIdp({ entityId: SAML_ENTITY, ssoUrl: `${SAML_ENTITY}/sso`, keys });
  const out: string[] = [];
  for (let i = 0; i < job.count; i++) {
    const now = new Date();
    const until = new Date(now.getTime() + job.lifetimeSeconds * 1000);
    const xml = await idp.loginResponseXml({
      now,
      spEntityId: `${job.baseUrl}/saml/metadata`,
      acsUrl: `${job.baseUrl}/saml/acs`,
      signing: 'both',
      notOnOrAfter: until,
      subjectNotOnOrAfter: until,
      sessionNotOnOrAfter: until,
      user: {
        nameId: 'alice@example.com',
        attributes: {
          'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': ['alice@example.com'],
          'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['aws-dev', 'eng-platform'],
          'urn:oid:2.5.4.11': ['Platform'],
          amr: ['pwd', 'mfa'],
        },
        authnContextClassRef: 'https://refeds.org/profile/mfa',
      },
    });
    out.push(Buffer.from(xml, 'utf8').toString('base64'));
  }
  return out;
};

/** `count` unique signed SAML responses addressed to `baseUrl`, made in parallel worker threads. */
export const samlResponses = async (count: number, baseUrl: string, lifetimeSeconds: number): Promise<string[]> => {
  const threads = Math.max(1, Math.min(availableParallelism(), Math.ceil(count / 50)));
  const shares = Array.from({ length: threads }, (_, i) => Math.floor(count / threads) + (i < count % threads ? 1 : 0));
  const parts = await Promise.all(
    shares.map(
      (share) =>
        new Promise<string[]>((resolvePart, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { count: share, baseUrl, lifetimeSeconds } satisfies SamlJob });
          worker.once('message', (responses: string[]) => resolvePart(responses));
          worker.once('error', reject);
          worker.once('exit', (code) => code !== 0 && reject(new Error(`SAML worker exited with ${code}`)));
        }),
    ),
  );
  return parts.flat();
};

if (!isMainThread && parentPort) {
  parentPort.postMessage(await signSaml(workerData as SamlJob));
}
