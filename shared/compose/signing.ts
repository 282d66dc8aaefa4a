// The broker's signing keys, built from broker.signingKey / broker.previousSigningKey once per composition:
// `kms:<key id, ARN or alias/…>` (or `kms:` alone: the template's key, env SIGNING_KEY_ARN) in AWS, a PEM
// private key (`file:`, `env:`, `ssm:` — already resolved by the config loader) locally.

import { ConfigError, type BrokerConfig } from '../config/resolve.ts';
import type { WebIdentitySigner } from '../issuance/issue.ts';
import { privateKeySigningKey, type SigningKey } from '../issuance/signing-key.ts';
import type { SigningKeyMaterial } from '../config/material.ts';
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
  /** KMS signing keys by key id (compose/aws-clients.ts), asked for only when the config names a `kms:` key. */
  readonly kms: () => (keyId: string) => SigningKey;
  /** The key the template created (env SIGNING_KEY_ARN), for `kms:` alone. */
  readonly signingKeyArn?: string | undefined;
}

const invalid = (config: BrokerConfig, path: KeyPath, message: string): ConfigError => new ConfigError(config.file, [{ severity: 'error', path, message }]);

/** The key id a `kms:` reference names; `kms:` alone names the key the template created (SIGNING_KEY_ARN). */
export const kmsKeyIdOf = (ref: string, signingKeyArn: string | undefined): string | undefined => {
  const id = ref.slice('kms:'.length).trim();
  return id === '' ? signingKeyArn || undefined : id;
};

/** A key of the config's key material: KMS (its id resolved here) or the PEM key the loader already checked. */
const signingKeyOf = (options: SigningKeyOptions, path: KeyPath, material: SigningKeyMaterial | undefined): SigningKey | undefined => {
  if (material === undefined) return undefined;
  if (material.kind === 'pem') return privateKeySigningKey(material.privateKey);
  const keyId = kmsKeyIdOf(material.ref, options.signingKeyArn);
  if (keyId === undefined) throw invalid(options.config, path, 'kms: names no key and SIGNING_KEY_ARN is not set');
  return options.kms()(keyId);
};

export const createSigningKeys = (options: SigningKeyOptions): SigningKeys => {
  const { baseUrl, tokenAudience } = options.config.broker;
  const current = signingKeyOf(options, 'broker.signingKey', options.config.material.signingKey);
  const previous = signingKeyOf(options, 'broker.previousSigningKey', options.config.material.previousSigningKey);
  return {
    published: [current, previous].filter((k): k is SigningKey => k !== undefined),
    signer: current && createWebIdentitySigner({ issuer: baseUrl, audience: tokenAudience, key: current }),
  };
};
