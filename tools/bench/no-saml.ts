// What-if build only (bench.ts): stands in for shared/saml/index.ts in the token bundle, to measure what carrying
// the SAML verifier costs a function that supports saml2 subject tokens. Never part of a deployable bundle.
const missing = (): never => {
  throw new Error('saml2 subject tokens are not built into this what-if bundle');
};
export const samlProvidersOf = missing;
export const spSettingsOf = missing;
export const validateSamlResponse = missing;
