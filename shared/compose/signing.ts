// The broker's signing keys, built from broker.signingKey / broker.previousSigningKey once per composition:
// `kms:<key id, ARN or alias/…>` (or `kms:` alone: the template's key, env SIGNING_KEY_ARN) in AWS, a PEM
// private key (`file:`, `env:`, `ssm:` — already resolved by the config loader) locally.

import type { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, type BrokerConfig } from '../config/index.ts';
import type { WebIdentitySigner } from '../issuance/issue.ts';
import { createKmsSigningKey } from '../issuance/kms-signing-key.ts';
import { pemSigningKey, SigningKeyMaterialError, type SigningKey } from '../issuance/signing-key.ts';
import { createWebIdentitySigner } from '../issuance/web-identity.ts';

type KeyPath = 'broker.signingKey' | 'broker.previousSigningKey';

export interface SigningKeys {
  /** The keys the JWKS publishes: the current one, then the previous one during a rotation. */
  readonly published: readonly SigningKey[];
  /** The web-identity signer, or undefined without broker.signingKey (web-identity roles then fail SIGNING_UNAVAILABLE). */
  readonly signer: WebIdentitySigner | undefined;
}

export interface SigningKeyOptions {
  readonly config: BrokerConfig;
  readonly kms: () => KMSClient;
  /** The key the template created (env SIGNING_KEY_ARN), for `kms:` alone. */
  readonly signingKeyArn?: string | undefined;
}

const invalid = (config: BrokerConfig, path: KeyPath, message: string): ConfigError => new ConfigError(config.file, [{ severity: 'error', path, message }]);

/** The key id a `kms:` reference names; `kms:` alone names the key the template created (SIGNING_KEY_ARN). */
export const kmsKeyIdOf = (ref: string, signingKeyArn: string | undefined): string | undefined => {
  const id = ref.slice('kms:'.length).trim();
  return id === '' ? signingKeyArn || undefined : id;
};

/** A bad key fails the cold start, naming the config path and never echoing the key. */
const signingKeyOf = (options: SigningKeyOptions, path: KeyPath, ref: string): SigningKey => {
  const { config } = options;
  if (ref.startsWith('kms:')) {
    const keyId = kmsKeyIdOf(ref, options.signingKeyArn);
    if (keyId === undefined) throw invalid(config, path, 'kms: names no key and SIGNING_KEY_ARN is not set');
    return createKmsSigningKey(options.kms(), keyId);
  }
  const pem = config.secrets.get(ref);
  if (pem === undefined) throw invalid(config, path, 'the key reference was not resolved');
  try {
    return pemSigningKey(pem);
  } catch (error) {
    if (error instanceof SigningKeyMaterialError) throw invalid(config, path, error.message);
    throw error;
  }
};

export const createSigningKeys = (options: SigningKeyOptions): SigningKeys => {
  const { signingKey, previousSigningKey, baseUrl, tokenAudience } = options.config.broker;
  const current = signingKey === undefined ? undefined : signingKeyOf(options, 'broker.signingKey', signingKey);
  const previous = previousSigningKey === undefined ? undefined : signingKeyOf(options, 'broker.previousSigningKey', previousSigningKey);
  return {
    published: [current, previous].filter((k): k is SigningKey => k !== undefined),
    signer: current && createWebIdentitySigner({ issuer: baseUrl, audience: tokenAudience, key: current }),
  };
};
