// The DEV ONLY key pairs committed to this repository (config/dev-keys/README.md): their private halves are public,
// so anyone can sign as the development IdPs. A config that trusts one of them is refused outside loopback and in
// AWS Lambda. Keys are recognised by fingerprint (SHA-256 of the DER SubjectPublicKeyInfo), wherever the material
// comes from: a certificate, a public or private PEM key, SAML metadata, a JWK or a JWKS, under any file name.

import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Problem } from './check.ts';
import { isLoopbackHost } from '../patterns.ts';

/** test/unit/config/dev-keys.test.ts recomputes these from the committed files. */
export const DEV_KEY_FINGERPRINTS: ReadonlyMap<string, string> = new Map([
  ['1c61b64d70c72fa85241d10d14ee7c88cd10fa1c018b9181f74644ef18b28983', 'the development SAML IdP of npm start (dev-saml-idp)'],
  ['8bdef37151353ccde328c044d6cdd1ae344982d13b06c3d6a3d4d8544fd0907c', 'the static SAML issuer of the sample events (dev-static-saml)'],
  ['7bdfa80dc344e85ef552e77a8078d824a4f42b0beb28f91aa7614e18a2f8bf4c', 'the static OIDC issuer of the sample events (dev-static)'],
]);

const fingerprint = (key: KeyObject): string => createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('hex');

/** Material that does not parse is skipped here: the code that uses it reports it. */
const attempt = (read: () => KeyObject): KeyObject[] => {
  try {
    return [read()];
  } catch {
    return [];
  }
};

const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/** Every PEM block (certificate, public or unencrypted private key) in the text. */
const pemKeys = (text: string): KeyObject[] => {
  const keys: KeyObject[] = [];
  for (let start = text.indexOf(BEGIN); start >= 0; start = text.indexOf(BEGIN, start + BEGIN.length)) {
    const labelEnd = text.indexOf(DASHES, start + BEGIN.length);
    if (labelEnd < 0) break;
    const label = text.slice(start + BEGIN.length, labelEnd);
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, labelEnd);
    if (end < 0) break;
    const pem = text.slice(start, end + endMarker.length);
    keys.push(...attempt(() => (label === 'CERTIFICATE' ? new X509Certificate(pem).publicKey : createPublicKey(pem))));
  }
  return keys;
};

const X509_OPEN = /<(?:[A-Za-z_][\w.-]*:)?X509Certificate(?:\s[^>]*)?>/g;

/** Every X509Certificate element's certificate (SAML metadata, KeyInfo). */
const xmlKeys = (text: string): KeyObject[] =>
  [...text.matchAll(X509_OPEN)].flatMap((match) => {
    const from = (match.index ?? 0) + match[0].length;
    const to = text.indexOf('<', from);
    const der = Buffer.from(text.slice(from, to < 0 ? undefined : to).replace(/\s+/g, ''), 'base64');
    return attempt(() => new X509Certificate(der).publicKey);
  });

/** A JWK or a JWKS (public or private members). */
const jwkKeys = (text: string): KeyObject[] => {
  if (!text.trimStart().startsWith('{')) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const set = (parsed as { keys?: unknown }).keys;
  const jwks = Array.isArray(set) ? (set as unknown[]) : [parsed];
  return jwks.flatMap((jwk) => (jwk !== null && typeof jwk === 'object' ? attempt(() => createPublicKey({ key: jwk as Record<string, string>, format: 'jwk' })) : []));
};

/** What the text trusts or holds that is committed development key material, by description. */
export const devKeysIn = (text: string): string[] => {
  const found = new Set<string>();
  for (const key of [...pemKeys(text), ...xmlKeys(text), ...jwkKeys(text)]) {
    const known = DEV_KEY_FINGERPRINTS.get(fingerprint(key));
    if (known !== undefined) found.add(known);
  }
  return [...found];
};

/**
 * Refused wherever the broker could be reached by others: a baseUrl that is not loopback, or AWS Lambda
 * (AWS_LAMBDA_FUNCTION_NAME set, except under `sam local`, which also sets AWS_SAM_LOCAL=true). Stops a deployment
 * of the local config, or of a copy of its metadata or keys, from trusting keys anyone can sign with.
 */
export const devKeyProblems = (baseUrl: string, material: ReadonlyArray<readonly [path: string, text: string]>, env: Readonly<Record<string, string | undefined>>): Problem[] => {
  const inLambda = (env.AWS_LAMBDA_FUNCTION_NAME ?? '') !== '' && env.AWS_SAM_LOCAL !== 'true';
  if (isLoopbackHost(new URL(baseUrl).hostname) && !inLambda) return [];
  const where = inLambda ? 'in AWS Lambda' : 'with a baseUrl that is not loopback';
  return material.flatMap(([path, text]) =>
    devKeysIn(text).map((what): Problem => ({ severity: 'error', path, message: `holds the committed DEV ONLY key of ${what}, which anyone can sign with: refused ${where} (config/dev-keys/README.md)` })),
  );
};
