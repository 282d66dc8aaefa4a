// The KMS adapter of the signing key: an asymmetric RSA (SIGN_VERIFY) key that never leaves KMS.
// GetPublicKey runs once per cold start (then cached); it also resolves an alias to the key's ARN, and every Sign
// uses that ARN, so an alias re-pointed during a rotation cannot make a warm function sign with one key while
// publishing the kid of another. Any KMS failure is SIGNING_UNAVAILABLE (503), with the SDK error as cause.

import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { BrokerError } from '../errors.ts';
import { publicKeyFromSpki, publicSigningJwk, type PublicSigningJwk, type SigningKey } from './signing-key.ts';

export const KMS_SIGNING_ALGORITHM = 'RSASSA_PKCS1_V1_5_SHA_256';

interface KmsKeyInfo {
  readonly arn: string;
  readonly jwk: PublicSigningJwk;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error');

const unavailable = (message: string, cause?: unknown): BrokerError =>
  new BrokerError('SIGNING_UNAVAILABLE', cause === undefined ? message : `${message}: ${errorName(cause)}`, cause === undefined ? undefined : { cause });

const fetchKeyInfo = async (client: KMSClient, keyId: string): Promise<KmsKeyInfo> => {
  let out;
  try {
    out = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (error) {
    throw unavailable(`KMS GetPublicKey failed for ${keyId}`, error);
  }
  // A symmetric, encryption or non-RSA key would sign nothing STS accepts: refuse it before the first token.
  if (out.KeyUsage !== 'SIGN_VERIFY' || !out.SigningAlgorithms?.includes(KMS_SIGNING_ALGORITHM) || !out.PublicKey) {
    throw unavailable(`KMS key ${keyId} is not an RSA SIGN_VERIFY key supporting ${KMS_SIGNING_ALGORITHM}`);
  }
  try {
    return { arn: out.KeyId ?? keyId, jwk: await publicSigningJwk(publicKeyFromSpki(out.PublicKey)) };
  } catch (error) {
    throw unavailable(`KMS key ${keyId} has an unusable public key`, error);
  }
};

export const createKmsSigningKey = (client: KMSClient, keyId: string): SigningKey => {
  let info: Promise<KmsKeyInfo> | undefined;
  // Cached on success only: a failed fetch is retried by the next request rather than poisoning the container.
  const load = (): Promise<KmsKeyInfo> => {
    info ??= fetchKeyInfo(client, keyId).catch((error: unknown) => {
      info = undefined;
      throw error;
    });
    return info;
  };
  return {
    publicJwk: async () => (await load()).jwk,
    sign: async (input) => {
      const { arn } = await load();
      // The digest rather than the message (MessageType RAW): RAW is limited to 4096 bytes, and a token
      // with many session tags is longer than that.
      const digest = createHash('sha256').update(input).digest();
      let out;
      try {
        out = await client.send(new SignCommand({ KeyId: arn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: KMS_SIGNING_ALGORITHM }));
      } catch (error) {
        throw unavailable(`KMS Sign failed for ${arn}`, error);
      }
      if (!out.Signature || out.Signature.length === 0) throw unavailable(`KMS Sign returned no signature for ${arn}`);
      return out.Signature;
    },
  };
};
