// The raw claims of a verified assertion (docs/rules.md, the claims object): sub = NameID, iss = Issuer, acr = AuthnContextClassRef,
// and every Attribute under its full Name, several <Attribute> elements with one Name merged into one array.

import type { AssertionView, AttributeValue } from './assertion.ts';

/** Attribute values are strings, or the mark of a value the broker cannot read (the rules engine refuses those). */
export const rawClaimsOf = (assertion: AssertionView): Record<string, AttributeValue[]> => {
  const claims = Object.create(null) as Record<string, AttributeValue[]>;
  for (const [name, values] of assertion.attributes) (claims[name] ??= []).push(...values);
  // Set last: an attribute called "sub" cannot stand in for the NameID.
  claims.sub = [assertion.nameId];
  claims.iss = [assertion.issuer];
  if (assertion.authnContextClassRef !== undefined) claims.acr = [assertion.authnContextClassRef];
  else delete claims.acr;
  return claims;
};
