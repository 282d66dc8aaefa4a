// The function's second entry point (template.yaml EntryPoints): the SAML subject-token verifier, built by
// sam build as saml2.mjs beside index.mjs and imported on the first saml2 subject token only.
export { createSamlSubjectVerifier } from '../../shared/compose/saml-subject.ts';
