// validateSamlResponse: one posted SAML message → a verified identity, or a BrokerError with a stable code.
// Order: decode, one strict parse, frame and status, provider by Issuer, every signature's structure, every
// signature's verification, coverage of the assertion used, the semantic checks, and the single-use claim last.

import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { readAssertion } from './assertion.ts';
import { SEMANTIC_CHECKS, type CheckContext } from './checks.ts';
import { rawClaimsOf } from './assertion-claims.ts';
import { LIMITS, NS } from './constants.ts';
import { decodeSamlMessage } from './decode.ts';
import { decryptAssertion } from './decrypt.ts';
import { readMessage, type MessageView } from './message.ts';
import { checkSignatureShapes, refuseReferenceFlood } from './signature-shape.ts';
import { verifySignature } from './signature.ts';
import type { SamlIdentity, SamlInput, SamlProviderRuntime, SamlValidationContext } from './types.ts';
import { elementChildren, isElement, parseStrictXml, textOf, type ParsedXml } from './xml.ts';

/** The provider whose metadata entityID is the message's Issuer (read unsigned, to pick keys; checked again later). */
const providerFor = (providers: SamlValidationContext['providers'], message: MessageView): SamlProviderRuntime => {
  const issuerElement = message.response?.issuer ?? (message.assertion && elementChildren(message.assertion).find((e) => isElement(e, NS.assertion, 'Issuer')));
  if (!issuerElement) return fail('UNKNOWN_PROVIDER', 'the message names no Issuer');
  const issuer = textOf(issuerElement);
  const provider = Object.values(providers).find((p) => p.metadata.entityId === issuer);
  return provider ?? fail('UNKNOWN_PROVIDER', 'no SAML provider has this entityID');
};

/** Verifies every signature of `parsed` (structure first, for all of them) and returns the elements they cover. */
const verifyAll = (parsed: ParsedXml, signable: readonly Element[], provider: SamlProviderRuntime): Set<Element> => {
  const shapes = checkSignatureShapes(parsed, signable, provider.allowSha1);
  // Any signature present that does not verify refuses the message, even if another one would cover it.
  for (const shape of shapes) verifySignature(shape, provider.metadata.signingKeys);
  return new Set(shapes.map((s) => s.signed));
};

/**
 * The decrypted assertion: the same strict parse, its own signature checks. XML Encryption §4.5 parses the
 * plaintext where the EncryptedData stands, and Santuario-based IdPs (Keycloak) encrypt the Assertion as written
 * inside their Response, using the prefix the Response declares: the EncryptedAssertion's own prefix is bound
 * (to the assertion namespace, which is what made it an EncryptedAssertion), and nothing else of the context.
 * Any signature over the content covers that binding (exc-c14n renders the namespace of every prefix used).
 */
const decrypted = (encrypted: Element, provider: SamlProviderRuntime): { assertion: Element; signed: boolean } => {
  const plaintext = decryptAssertion(encrypted, provider.decryptionKey);
  refuseReferenceFlood(plaintext);
  const inner = parseStrictXml(plaintext, { ...LIMITS, namespaces: { [encrypted.prefix ?? '']: NS.assertion } });
  const count = inner.doc.getElementsByTagNameNS(NS.assertion, 'Assertion').length;
  if (!isElement(inner.root, NS.assertion, 'Assertion') || count !== 1) fail('SAML_INVALID', 'the encrypted content is not one Assertion');
  return { assertion: inner.root, signed: verifyAll(inner, [inner.root], provider).has(inner.root) };
};

/** The assertion the broker will read, and whether a verified signature covers it. */
const verifiedAssertion = (parsed: ParsedXml, message: MessageView, provider: SamlProviderRuntime): { assertion: Element; responseSigned: boolean } => {
  const response = message.response?.element;
  const signable = [response, message.assertion].filter((e): e is Element => e !== undefined);
  const covered = verifyAll(parsed, signable, provider);
  const responseSigned = response !== undefined && covered.has(response);
  const { assertion, signed } = message.assertion
    ? { assertion: message.assertion, signed: covered.has(message.assertion) }
    : decrypted(message.encryptedAssertion!, provider);
  // Unsigned content never counts; a signed Response counts for its assertion unless the provider wants more.
  if (!signed && !(responseSigned && !provider.wantAssertionsSigned)) fail('SIGNATURE_INVALID', 'no verified signature covers the assertion');
  return { assertion, responseSigned };
};

/** Validates a posted SAML Response (or a bare Assertion where allowed) and returns the verified identity. */
export const validateSamlResponse = async (input: SamlInput, ctx: SamlValidationContext): Promise<SamlIdentity> => {
  const xml = decodeSamlMessage(input.samlResponse);
  refuseReferenceFlood(xml);
  const parsed = parseStrictXml(xml, LIMITS);
  const message = readMessage(parsed, input.bareAssertionAllowed === true);
  const provider = providerFor(ctx.providers, message);
  const { assertion: element, responseSigned } = verifiedAssertion(parsed, message, provider);
  const assertion = readAssertion(element);
  const checkContext: CheckContext = { ...ctx, provider, maxAssertionAgeSeconds: provider.maxAssertionAgeSeconds ?? ctx.maxAssertionAgeSeconds };
  for (const check of SEMANTIC_CHECKS) check({ response: message.response, responseSigned, assertion }, checkContext);
  const notOnOrAfter = new Date(Math.min(assertion.confirmation.notOnOrAfter.getTime(), assertion.conditions.notOnOrAfter?.getTime() ?? Infinity));
  // Replay: the record outlives the last instant at which the checks above still pass: NotOnOrAfter, or the end of
  // the IssueInstant age window if earlier (so a NotOnOrAfter in the year 9999 never becomes a record's expiry).
  const lastAccepted = Math.min(notOnOrAfter.getTime(), assertion.issueInstant.getTime() + checkContext.maxAssertionAgeSeconds * 1000);
  await ctx.replay.claimOnce(`saml:${provider.id}:${assertion.id}`, new Date(lastAccepted + ctx.clockSkewSeconds * 1000));
  return {
    providerId: provider.id,
    issuer: assertion.issuer,
    nameId: assertion.nameId,
    nameIdFormat: assertion.nameIdFormat,
    assertionId: assertion.id,
    inResponseTo: assertion.confirmation.inResponseTo,
    notOnOrAfter,
    sessionNotOnOrAfter: assertion.sessionNotOnOrAfter,
    authnContextClassRef: assertion.authnContextClassRef,
    rawClaims: rawClaimsOf(assertion),
  };
};
