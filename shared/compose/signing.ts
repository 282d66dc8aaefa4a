// The broker's signing keys, built from broker.signingKey / broker.previousSigningKey once per cold start:
// `kms:<key id, ARN or alias/…>` (or `kms:` alone: the template's key, env SIGNING_KEY_ARN) in AWS, a PEM
// private key (`file:`, `env:`, `ssm:` — already resolved by the config loader) locally.

import { createHash } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, type BrokerConfig } from '../config/index.ts';
import { runtimeSettings } from '../config/runtime.ts';
import type { WebIdentitySigner } from '../issuance/issue.ts';
import { createKmsSigningKey } from '../issuance/kms-signing-key.ts';
import { pemSigningKey, SigningKeyMaterialError, type SigningKey } from '../issuance/signing-key.ts';
import { createWebIdentitySigner } from '../issuance/web-identity.ts';
import { awsRequestHandler } from './clients.ts';

type KeyPath = 'broker.signingKey' | 'broker.previousSigningKey';

let kms: KMSClient | undefined;
const kmsClient = (): KMSClient => {
  kms ??= new KMSClient({ region: runtimeSettings().AWS_REGION, maxAttempts: 2, requestHandler: awsRequestHandler() });
  return kms;
};

/** One SigningKey per key in this process, so the token, session and issuer functions share one public-key fetch. */
const built = new Map<string, SigningKey>();
const once = (cacheKey: string, build: () => SigningKey): SigningKey => {
  let key = built.get(cacheKey);
  if (!key) {
    key = build();
    built.set(cacheKey, key);
  }
  return key;
};

const invalid = (config: BrokerConfig, path: KeyPath, message: string): ConfigError =>
  new ConfigError(config.file, [{ severity: 'error', path, message }]);

/** The key id a `kms:` reference names; `kms:` alone names the key the template created (SIGNING_KEY_ARN). */
export const kmsKeyIdOf = (ref: string, signingKeyArn: string | undefined): string | undefined => {
  const id = ref.slice('kms:'.length).trim();
  return id === '' ? signingKeyArn || undefined : id;
};

/** A bad key fails the cold start, naming the config path and never echoing the key. */
export const signingKeyOf = (config: BrokerConfig, path: KeyPath, ref: string): SigningKey => {
  if (ref.startsWith('kms:')) {
    const keyId = kmsKeyIdOf(ref, runtimeSettings().SIGNING_KEY_ARN);
    if (keyId === undefined) throw invalid(config, path, 'kms: names no key and SIGNING_KEY_ARN is not set');
    return once(`kms:${keyId}`, () => createKmsSigningKey(kmsClient(), keyId));
  }
  const pem = config.secrets.get(ref);
  if (pem === undefined) throw invalid(config, path, 'the key reference was not resolved');
  try {
    return once(`pem:${createHash('sha256').update(pem).digest('hex')}`, () => pemSigningKey(pem));
  } catch (error) {
    if (error instanceof SigningKeyMaterialError) throw invalid(config, path, error.message);
    throw error;
  }
};

/** The keys the JWKS publishes: the current one, then the previous one during a rotation. */
export const publishedSigningKeys = (config: BrokerConfig): SigningKey[] => {
  const { signingKey, previousSigningKey } = config.broker;
  return [
    ...(signingKey === undefined ? [] : [signingKeyOf(config, 'broker.signingKey', signingKey)]),
    ...(previousSigningKey === undefined ? [] : [signingKeyOf(config, 'broker.previousSigningKey', previousSigningKey)]),
  ];
};

/** The web-identity signer, or undefined without broker.signingKey (web-identity roles then fail SIGNING_UNAVAILABLE). */
export const webIdentitySigner = (config: BrokerConfig): WebIdentitySigner | undefined => {
  const ref = config.broker.signingKey;
  if (ref === undefined) return undefined;
  return createWebIdentitySigner({ issuer: config.broker.baseUrl, audience: config.broker.tokenAudience, key: signingKeyOf(config, 'broker.signingKey', ref) });
};
