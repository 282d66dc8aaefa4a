// The KMS signing key through aws-sdk-client-mock. The mocked KMS holds a real RSA key generated here: Sign
// computes a real RSASSA-PKCS1-v1_5 SHA-256 signature and GetPublicKey returns the DER SPKI, so every
// verification below is real.

import { constants, generateKeyPairSync, privateEncrypt, sign, verify, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, SignCommand, type GetPublicKeyCommandOutput, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createKmsSigningKey, KMS_SIGNING_ALGORITHM } from '../../../shared/issuance/kms-signing-key.ts';

const kms = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ALIAS = 'alias/federation-broker';
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const input = new TextEncoder().encode('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0');

/** SHA-256 DigestInfo prefix (RFC 8017 §9.2): what RSASSA-PKCS1-v1_5 signs around a precomputed digest. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const kmsSign = (key: KeyObject) => (command: SignCommandInput) => {
  const message = Buffer.from(command.Message ?? new Uint8Array());
  const signature =
    command.MessageType === 'DIGEST'
      ? privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, message]))
      : sign('sha256', message, key);
  return { KeyId: KEY_ARN, Signature: new Uint8Array(signature), SigningAlgorithm: command.SigningAlgorithm };
};
const publicKeyResponse = (key: KeyObject, overrides: Partial<GetPublicKeyCommandOutput> = {}): Partial<GetPublicKeyCommandOutput> => ({
  KeyId: KEY_ARN,
  PublicKey: new Uint8Array(key.export({ format: 'der', type: 'spki' })),
  KeySpec: 'RSA_2048',
  KeyUsage: 'SIGN_VERIFY',
  SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
  ...overrides,
});
const kmsError = (name: string, status: number) => new KMSServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
const client = () => new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });

beforeEach(() => {
  kms.reset();
  kms.on(GetPublicKeyCommand).resolves(publicKeyResponse(pair.publicKey));
  kms.on(SignCommand).callsFake(kmsSign(pair.privateKey));
});

describe('KMS signing key', () => {
  it('signs RS256 that the KMS public key verifies', async () => {
    const signature = await createKmsSigningKey(client(), ALIAS).sign(input);
    expect(verify('sha256', input, pair.publicKey, signature)).toBe(true);
  });

  it('sends the SHA-256 digest (MessageType DIGEST) with RSASSA_PKCS1_V1_5_SHA_256 to the key ARN the alias resolved to', async () => {
    await createKmsSigningKey(client(), ALIAS).sign(input);
    expect(kms.commandCalls(GetPublicKeyCommand)[0]?.args[0].input).toEqual({ KeyId: ALIAS });
    const sent = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: KMS_SIGNING_ALGORITHM });
    expect(sent?.Message).toHaveLength(32);
  });

  it('publishes the public JWK with kid = its RFC 7638 thumbprint', async () => {
    const { n, e } = pair.publicKey.export({ format: 'jwk' });
    expect(await createKmsSigningKey(client(), ALIAS).publicJwk()).toEqual({ kty: 'RSA', n, e, kid: await calculateJwkThumbprint({ kty: 'RSA', n: n!, e: e! }), alg: 'RS256', use: 'sig' });
  });

  it('fetches the public key once per cold start, however often it signs and publishes', async () => {
    const key = createKmsSigningKey(client(), ALIAS);
    await Promise.all([key.publicJwk(), key.sign(input), key.sign(input), key.publicJwk()]);
    await key.sign(input);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(SignCommand)).toHaveLength(3);
  });

  it('does not cache a failed public-key fetch: the next request tries again', async () => {
    kms.on(GetPublicKeyCommand).rejectsOnce(kmsError('KMSInternalException', 500)).resolves(publicKeyResponse(pair.publicKey));
    const key = createKmsSigningKey(client(), ALIAS);
    await expect(key.publicJwk()).rejects.toMatchObject({ code: 'SIGNING_UNAVAILABLE' });
    await expect(key.publicJwk()).resolves.toMatchObject({ kty: 'RSA' });
  });

  type Row = [string, () => void, 'publicJwk' | 'sign'];
  const rows: Row[] = [
    ['GetPublicKey denied', () => kms.on(GetPublicKeyCommand).rejects(kmsError('AccessDeniedException', 400)), 'publicJwk'],
    ['key disabled', () => kms.on(GetPublicKeyCommand).rejects(kmsError('DisabledException', 400)), 'sign'],
    ['KMS unreachable', () => kms.on(GetPublicKeyCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' })), 'sign'],
    ['a symmetric key', () => kms.on(GetPublicKeyCommand).resolves(publicKeyResponse(pair.publicKey, { KeyUsage: 'ENCRYPT_DECRYPT', SigningAlgorithms: undefined })), 'publicJwk'],
    ['a key without PKCS#1 v1.5 SHA-256', () => kms.on(GetPublicKeyCommand).resolves(publicKeyResponse(pair.publicKey, { SigningAlgorithms: ['RSASSA_PSS_SHA_256'] })), 'sign'],
    ['an EC key', () => kms.on(GetPublicKeyCommand).resolves(publicKeyResponse(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, { KeySpec: 'ECC_NIST_P256' })), 'publicJwk'],
    ['Sign throttled', () => kms.on(SignCommand).rejects(kmsError('ThrottlingException', 400)), 'sign'],
    ['Sign answers no signature', () => kms.on(SignCommand).resolves({ KeyId: KEY_ARN }), 'sign'],
  ];

  it.each(rows)('%s → SIGNING_UNAVAILABLE', async (_name, arrange, operation) => {
    arrange();
    const key = createKmsSigningKey(client(), ALIAS);
    const attempt = operation === 'sign' ? key.sign(input) : key.publicJwk();
    await expect(attempt).rejects.toMatchObject({ code: 'SIGNING_UNAVAILABLE', status: 503 });
  });
});
