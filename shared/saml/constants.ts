// Namespaces, algorithm identifiers and limits of the SAML validation core. One place, so that every check
// reads the same allow-lists.

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xenc: 'http://www.w3.org/2001/04/xmlenc#',
  xenc11: 'http://www.w3.org/2009/xmlenc11#',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const CM_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const NAMEID_ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha384: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
} as const;

/** Signature method → node:crypto digest name. SHA-1 only where the provider has `allowSha1`. */
export const SIGNATURE_METHODS: Readonly<Record<string, string>> = {
  [ALG.rsaSha256]: 'sha256',
  [ALG.rsaSha384]: 'sha384',
  [ALG.rsaSha512]: 'sha512',
};
export const DIGEST_METHODS: Readonly<Record<string, string>> = {
  [ALG.sha256]: 'sha256',
  [ALG.sha384]: 'sha384',
  [ALG.sha512]: 'sha512',
};
export const SHA1_SIGNATURE_METHODS: Readonly<Record<string, string>> = { [ALG.rsaSha1]: 'sha1' };
export const SHA1_DIGEST_METHODS: Readonly<Record<string, string>> = { [ALG.sha1]: 'sha1' };

/**
 * Bounds on what a SAML message may cost before it is refused (docs/security.md, "CPU before any signature
 * check"). Real IdP output stays far below each: AD FS, Entra ID, Okta, Google, Keycloak and Shibboleth responses
 * have at most 7 attributes on an element, 6 namespace declarations in scope and depth 8.
 */
export const LIMITS = {
  /** base64 text of a SAMLResponse (the form field or subject_token). */
  maxEncodedBytes: 256 * 1024,
  maxDepth: 50,
  maxElements: 5000,
  /** On one element, namespace declarations included (a parser and exc-c14n handle each). */
  maxAttributes: 32,
  /** Declared on an element and its ancestors together: exc-c14n searches this scope for every name it renders. */
  maxNamespaceDeclarations: 64,
} as const;

/** IdP metadata is operator-supplied and can be larger (aggregates are not supported). */
export const METADATA_LIMITS = {
  maxEncodedBytes: 1024 * 1024,
  maxDepth: 50,
  maxElements: 20_000,
  maxAttributes: 64,
  maxNamespaceDeclarations: 128,
} as const;

/**
 * Bounds on a ds:Signature, checked before xml-crypto (or the broker) canonicalises any of it. IdPs send ~15
 * elements and 1.5–3 KB of text (the certificate in KeyInfo), a one-token PrefixList, 344–368 characters of
 * SignatureValue (RSA-2048).
 */
export const SIGNATURE_LIMITS = {
  /** Elements in the whole ds:Signature, KeyInfo included. */
  maxElements: 64,
  /** Characters of text in the whole ds:Signature (a certificate chain in KeyInfo fits several times). */
  maxTextChars: 32 * 1024,
  /** base64 characters of a SignatureValue: RSA-8192 (1024 bytes). */
  maxSignatureValueChars: 1368,
  /** base64 characters of a DigestValue: SHA-512 (64 bytes). */
  maxDigestValueChars: 88,
  /** Names in an InclusiveNamespaces PrefixList. */
  maxPrefixListNames: 32,
} as const;
