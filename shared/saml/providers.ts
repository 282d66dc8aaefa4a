// SAML providers at run time, built once per cold start from the loaded config: metadata parsed, the SP
// decryption key resolved. A provider whose metadata cannot be used fails start-up (CONFIG_INVALID).

import type { BrokerConfig } from '../config/index.ts';
import { fail } from '../errors.ts';
import { parseIdpMetadata } from './metadata.ts';
import type { SamlProviderRuntime } from './types.ts';

export const samlProvidersOf = (config: BrokerConfig): Record<string, SamlProviderRuntime> => {
  const providers = Object.create(null) as Record<string, SamlProviderRuntime>;
  const seen = new Map<string, string>();
  for (const [id, p] of Object.entries(config.providers)) {
    if (p.type !== 'saml') continue;
    if (p.metadataXml === undefined) fail('CONFIG_INVALID', `providers.${id}: no metadata`);
    const metadata = parseIdpMetadata(p.metadataXml!);
    // Two providers with one entityID would make the Issuer ambiguous: which rules apply?
    if (seen.has(metadata.entityId)) fail('CONFIG_INVALID', `providers.${id}: entityID also used by providers.${seen.get(metadata.entityId) ?? ''}`);
    seen.set(metadata.entityId, id);
    const decryptionKeyPem = p.decryptionKey === undefined ? undefined : config.secrets.get(p.decryptionKey);
    if (p.decryptionKey !== undefined && decryptionKeyPem === undefined) fail('CONFIG_INVALID', `providers.${id}.decryptionKey is not resolved`);
    providers[id] = {
      id,
      metadata,
      allowIdpInitiated: p.allowIdpInitiated,
      wantAssertionsSigned: p.wantAssertionsSigned,
      allowSha1: p.allowSha1,
      maxAssertionAgeSeconds: p.maxAssertionAgeSeconds,
      decryptionKeyPem,
    };
  }
  return providers;
};
