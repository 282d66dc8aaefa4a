// The SAML core: metadata, validation of posted responses, and the SP side (metadata, AuthnRequest).
export { parseIdpMetadata, type IdpMetadata } from './metadata.ts';
export { samlProvidersOf } from './providers.ts';
export { buildLoginRedirect, spMetadataXml, spSettingsOf, type SpSettings } from './service-provider.ts';
export type { SamlIdentity, SamlInput, SamlProviderRuntime, SamlValidationContext } from './types.ts';
export { validateSamlResponse } from './validate.ts';
