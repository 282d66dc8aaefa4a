// SAML providers at run time, built once per cold start from the loaded config: metadata parsed (the entityID, the
// signing certificates, the SSO endpoints), the SP decryption key taken from the key material the config loader
// checked. Every provider whose metadata cannot be used is named in one ConfigError, which fails the cold start of the
// functions that verify SAML and `check-config` alike.

import { ConfigError, type BrokerConfig, type Problem } from '../config/resolve.ts';
import { BrokerError } from '../errors.ts';
import { parseIdpMetadata } from './metadata.ts';
import type { SamlProviderRuntime } from './types.ts';

export const samlProvidersOf = (config: BrokerConfig): Record<string, SamlProviderRuntime> => {
  const providers = Object.create(null) as Record<string, SamlProviderRuntime>;
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const [id, p] of Object.entries(config.providers)) {
    if (p.type !== 'saml') continue;
    const path = `providers.${id}.${p.metadataFile === undefined ? 'metadataXml' : 'metadataFile'}`;
    const material = config.material.saml[id];
    if (material?.metadataXml === undefined) {
      problems.push({ severity: 'error', path, message: 'no IdP metadata' });
      continue;
    }
    let metadata;
    try {
      metadata = parseIdpMetadata(material.metadataXml);
    } catch (error) {
      // The reason is the parser's (structure and bounds), never the document's text.
      problems.push({ severity: 'error', path, message: error instanceof BrokerError ? error.message : 'is not usable IdP metadata' });
      continue;
    }
    // Two providers with one entityID would make the Issuer ambiguous: which rules apply?
    const other = seen.get(metadata.entityId);
    if (other !== undefined) problems.push({ severity: 'error', path, message: `its entityID is also the entityID of providers.${other}` });
    seen.set(metadata.entityId, id);
    providers[id] = {
      id,
      metadata,
      allowIdpInitiated: p.allowIdpInitiated,
      wantAssertionsSigned: p.wantAssertionsSigned,
      allowSha1: p.allowSha1,
      maxAssertionAgeSeconds: p.maxAssertionAgeSeconds,
      decryptionKey: material.decryptionKey,
    };
  }
  if (problems.length > 0) throw new ConfigError(config.file, problems);
  return providers;
};
