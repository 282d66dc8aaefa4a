// Key material of the config, parsed and checked when the config loads (docs/configuration.md): the sealing secret,
// the broker's PEM signing keys, OIDC JWKS files, client secrets and private_key_jwt keys, SAML decryption keys and
// certificates. A bad one stops the cold start (and fails `check-config`) naming its field, never echoing it — rather
// than surfacing as a 500 or a "retry later" on the first request that needs it. IdP metadata is parsed where it is
// used (shared/saml/providers.ts), at the cold start of the functions that verify SAML, and by `check-config`.

import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { importPKCS8, type JSONWebKeySet } from 'jose';
import { usableKeys } from '../jose/keys.ts';
import type { Problem } from './check.ts';
import type { ParsedConfig } from './schema.ts';

export const MIN_SEALING_SECRET_BYTES = 32;
export const MIN_RSA_BITS = 2048;

/** broker.signingKey / previousSigningKey: a KMS key (id resolved at composition) or a checked PEM private key. */
export type SigningKeyMaterial = { readonly kind: 'kms'; readonly ref: string } | { readonly kind: 'pem'; readonly privateKey: KeyObject };

export interface OidcMaterial {
  /** The issuer's keys from `jwksFile` (public signature keys only), instead of discovery. */
  readonly jwks?: JSONWebKeySet | undefined;
  readonly clientSecret?: string | undefined;
  /** The private_key_jwt client key, imported for RS256. */
  readonly clientPrivateKey?: CryptoKey | undefined;
}

export interface SamlMaterial {
  /** The IdP metadata document (from metadataFile or metadataXml), parsed by the SAML core. */
  readonly metadataXml?: string | undefined;
  readonly decryptionKey?: KeyObject | undefined;
  /** PEM, as the SP metadata advertises it. */
  readonly decryptionCert?: string | undefined;
}

export interface KeyMaterial {
  /** broker.sealingSecret (at least 32 bytes), when set. */
  readonly sealingSecret?: Buffer | undefined;
  readonly signingKey?: SigningKeyMaterial | undefined;
  readonly previousSigningKey?: SigningKeyMaterial | undefined;
  readonly oidc: Readonly<Record<string, OidcMaterial>>;
  readonly saml: Readonly<Record<string, SamlMaterial>>;
}

type Report = (path: string, message: string) => void;

/** An unencrypted PEM RSA private key (PKCS#8 or PKCS#1); `minBits` for keys that sign. */
const rsaPrivateKey = (pem: string, path: string, report: Report, minBits = 0): KeyObject | undefined => {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return void report(path, 'is not an unencrypted PEM private key (PKCS#8 or PKCS#1)');
  }
  if (key.asymmetricKeyType !== 'rsa') return void report(path, `must be an RSA key (got ${key.asymmetricKeyType ?? 'another type'})`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < minBits) return void report(path, `must be an RSA key of at least ${minBits} bits`);
  return key;
};

const signingKeyOf = (ref: string | undefined, path: string, secrets: ReadonlyMap<string, string>, report: Report): SigningKeyMaterial | undefined => {
  if (ref === undefined) return undefined;
  if (ref.startsWith('kms:')) return { kind: 'kms', ref };
  const pem = secrets.get(ref);
  if (pem === undefined) return undefined;
  const privateKey = rsaPrivateKey(pem, path, report, MIN_RSA_BITS);
  return privateKey && { kind: 'pem', privateKey };
};

const jwksOf = (text: string, path: string, report: Report): JSONWebKeySet | undefined => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return void report(path, 'is not JSON (a JWKS document: {"keys": [...]})');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return void report(path, 'is not a JWKS document ({"keys": [...]})');
  const keys = usableKeys(document as Record<string, unknown>);
  if (keys.length === 0) return void report(path, 'holds no public signature key (RSA, EC or OKP, use "sig" or none, no private members)');
  return { keys };
};

const certificateOf = (pem: string, path: string, report: Report): string | undefined => {
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    return void report(path, 'is not a PEM X.509 certificate');
  }
};

/**
 * Parses every piece of key material the (schema-valid) config names, from its resolved references. References
 * left unresolved on purpose (`check-config` without secrets) are skipped; everything else that cannot serve is a
 * problem by path.
 */
export const materialOf = async (config: ParsedConfig, secrets: ReadonlyMap<string, string>): Promise<{ material: KeyMaterial; problems: Problem[] }> => {
  const problems: Problem[] = [];
  const report: Report = (path, message) => void problems.push({ severity: 'error', path, message });
  const { sealingSecret, signingKey, previousSigningKey } = config.broker;

  const sealingText = sealingSecret === undefined ? undefined : secrets.get(sealingSecret);
  const sealing = sealingText === undefined ? undefined : Buffer.from(sealingText, 'utf8');
  if (sealing && sealing.length < MIN_SEALING_SECRET_BYTES) report('broker.sealingSecret', `must be at least ${MIN_SEALING_SECRET_BYTES} bytes of secret`);

  const oidc: Record<string, OidcMaterial> = Object.create(null) as Record<string, OidcMaterial>;
  const saml: Record<string, SamlMaterial> = Object.create(null) as Record<string, SamlMaterial>;
  for (const [id, p] of Object.entries(config.providers)) {
    const base = `providers.${id}`;
    if (p.type === 'oidc') {
      const jwksText = p.jwksFile === undefined ? undefined : secrets.get(`file:${p.jwksFile}`);
      const pem = p.clientPrivateKey === undefined ? undefined : secrets.get(p.clientPrivateKey);
      let clientPrivateKey: CryptoKey | undefined;
      if (pem !== undefined && rsaPrivateKey(pem, `${base}.clientPrivateKey`, report)) {
        try {
          clientPrivateKey = await importPKCS8(pem, 'RS256');
        } catch {
          report(`${base}.clientPrivateKey`, 'must be a PKCS#8 PEM ("BEGIN PRIVATE KEY") for private_key_jwt (RS256)');
        }
      }
      oidc[id] = {
        jwks: jwksText === undefined ? undefined : jwksOf(jwksText, `${base}.jwksFile`, report),
        clientSecret: p.clientSecret === undefined ? undefined : secrets.get(p.clientSecret),
        clientPrivateKey,
      };
    } else {
      const keyPem = p.decryptionKey === undefined ? undefined : secrets.get(p.decryptionKey);
      const certPem = p.decryptionCert === undefined ? undefined : secrets.get(p.decryptionCert);
      saml[id] = {
        metadataXml: p.metadataFile === undefined ? p.metadataXml : secrets.get(`file:${p.metadataFile}`),
        decryptionKey: keyPem === undefined ? undefined : rsaPrivateKey(keyPem, `${base}.decryptionKey`, report),
        decryptionCert: certPem === undefined ? undefined : certificateOf(certPem, `${base}.decryptionCert`, report),
      };
    }
  }
  return {
    material: {
      sealingSecret: sealing && sealing.length >= MIN_SEALING_SECRET_BYTES ? sealing : undefined,
      signingKey: signingKeyOf(signingKey, 'broker.signingKey', secrets, report),
      previousSigningKey: signingKeyOf(previousSigningKey, 'broker.previousSigningKey', secrets, report),
      oidc,
      saml,
    },
    problems,
  };
};
