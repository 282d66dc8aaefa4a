// EncryptedAssertion → the assertion's XML text, with node:crypto directly: RSA-OAEP key transport and
// AES-GCM content encryption only (CBC invites padding oracles, RSA PKCS#1 v1.5 invites Bleichenbacher).
// The plaintext then goes through the same strict parse and signature checks as any assertion.

import { createDecipheriv, constants, privateDecrypt, type KeyObject } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { NS } from './constants.ts';
import { attr, elementChildren, isElement, many, one, optional, sequence, textOf } from './xml.ts';

const CONTENT_ALGORITHMS: Readonly<Record<string, { cipher: 'aes-128-gcm' | 'aes-256-gcm'; keyBytes: number }>> = {
  [`${NS.xenc11}aes128-gcm`]: { cipher: 'aes-128-gcm', keyBytes: 16 },
  [`${NS.xenc11}aes256-gcm`]: { cipher: 'aes-256-gcm', keyBytes: 32 },
};
const OAEP_MGF1P = `${NS.xenc}rsa-oaep-mgf1p`;
const OAEP_11 = `${NS.xenc11}rsa-oaep`;
const OAEP_DIGESTS: Readonly<Record<string, string>> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};
const MGF_DIGESTS: Readonly<Record<string, string>> = {
  [`${NS.xenc11}mgf1sha1`]: 'sha1',
  [`${NS.xenc11}mgf1sha256`]: 'sha256',
  [`${NS.xenc11}mgf1sha512`]: 'sha512',
};
const utf8 = new TextDecoder('utf-8', { fatal: true });

const invalid = (reason: string, cause?: unknown): never => fail('SAML_INVALID', `EncryptedAssertion refused: ${reason}`, cause === undefined ? undefined : { cause });
const notAllowed = (what: string): never => fail('ALGORITHM_NOT_ALLOWED', `EncryptedAssertion: ${what} is not allowed`);

/** The CipherValue of the (schema-checked, hence single) CipherData child of `parent`. */
const cipherValueOf = (parent: Element): Buffer => {
  const cipherData = elementChildren(parent).find((e) => isElement(e, NS.xenc, 'CipherData'));
  if (!cipherData) return invalid('CipherData is missing');
  const [[value]] = sequence(cipherData, [one(NS.xenc, 'CipherValue')]);
  return Buffer.from(textOf(value!).replace(/\s+/g, ''), 'base64');
};

/** OAEP digest: Node uses one hash for OAEP and MGF1, so the two must agree. */
const oaepHashOf = (method: Element): string => {
  const algorithm = attr(method, 'Algorithm');
  if (algorithm !== OAEP_MGF1P && algorithm !== OAEP_11) return notAllowed(`key transport ${algorithm ?? '(none)'}`);
  let digest = 'sha1';
  let mgf = 'sha1';
  for (const child of elementChildren(method)) {
    if (isElement(child, NS.ds, 'DigestMethod')) digest = OAEP_DIGESTS[attr(child, 'Algorithm') ?? ''] ?? notAllowed('OAEP digest');
    else if (isElement(child, NS.xenc11, 'MGF') && algorithm === OAEP_11) mgf = MGF_DIGESTS[attr(child, 'Algorithm') ?? ''] ?? notAllowed('OAEP MGF');
    else invalid(`unexpected ${child.localName} in the key EncryptionMethod`);
  }
  if (digest !== mgf) notAllowed('OAEP with different digest and MGF1 hashes');
  return digest;
};

/** The one EncryptedKey: inside EncryptedData's KeyInfo, or beside EncryptedData in the EncryptedAssertion. */
const encryptedKeyOf = (encryptedAssertion: Element, keyInfo: Element | undefined, siblings: readonly Element[]): Element => {
  const inside = keyInfo ? elementChildren(keyInfo).filter((e) => isElement(e, NS.xenc, 'EncryptedKey')) : [];
  const all = [...inside, ...siblings];
  if (all.length !== 1) invalid(`${all.length} EncryptedKey elements in ${encryptedAssertion.localName}`);
  return all[0]!;
};

const unwrapKey = (encryptedKey: Element, privateKey: KeyObject, keyBytes: number): Buffer => {
  const [[method]] = sequence(encryptedKey, [
    one(NS.xenc, 'EncryptionMethod'),
    optional(NS.ds, 'KeyInfo'),
    one(NS.xenc, 'CipherData'),
    optional(NS.xenc, 'ReferenceList'),
    optional(NS.xenc, 'CarriedKeyName'),
  ]);
  const oaepHash = oaepHashOf(method!);
  let key: Buffer;
  try {
    key = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, cipherValueOf(encryptedKey));
  } catch (error) {
    return invalid('the content key cannot be decrypted', error);
  }
  if (key.length !== keyBytes) invalid('the content key has the wrong length');
  return key;
};

/** Decrypts an EncryptedAssertion with the provider's SP key; returns the assertion's XML text. */
export const decryptAssertion = (encryptedAssertion: Element, decryptionKey: KeyObject | undefined): string => {
  if (decryptionKey === undefined) return invalid('no decryption key is configured for this provider');
  const [[data], siblings] = sequence(encryptedAssertion, [one(NS.xenc, 'EncryptedData'), many(NS.xenc, ['EncryptedKey'])]);
  const [[method], [keyInfo]] = sequence(data!, [
    one(NS.xenc, 'EncryptionMethod'),
    optional(NS.ds, 'KeyInfo'),
    one(NS.xenc, 'CipherData'),
    optional(NS.xenc, 'EncryptionProperties'),
  ]);
  const content = CONTENT_ALGORITHMS[attr(method!, 'Algorithm') ?? ''] ?? notAllowed(`content encryption ${attr(method!, 'Algorithm') ?? '(none)'}`);
  const key = unwrapKey(encryptedKeyOf(encryptedAssertion, keyInfo, siblings!), decryptionKey, content.keyBytes);
  const bytes = cipherValueOf(data!);
  if (bytes.length < 12 + 16 + 1) invalid('ciphertext too short');
  try {
    const decipher = createDecipheriv(content.cipher, key, bytes.subarray(0, 12), { authTagLength: 16 });
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return utf8.decode(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]));
  } catch (error) {
    return invalid('the content does not decrypt', error);
  }
};
