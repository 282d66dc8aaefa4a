// OIDC Core §2 `azp`: a token with several audiences names the party it was issued to, and that party must be one
// we accept. Stops a token issued to another client of the same IdP, which merely lists us as an extra audience.

import { BrokerError } from '../errors.ts';

export const checkAuthorizedParty = (claims: Readonly<Record<string, unknown>>, accepted: readonly string[]): void => {
  const { aud, azp } = claims;
  const audiences = typeof aud === 'string' ? [aud] : aud;
  // Stops audience values of other types slipping through a loose `includes` check.
  if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((value) => typeof value === 'string')) {
    throw new BrokerError('TOKEN_INVALID', 'aud must be a string or a non-empty array of strings');
  }
  if (azp === undefined) {
    if (audiences.length > 1) throw new BrokerError('AUDIENCE_MISMATCH', 'a token with several audiences must carry azp');
    return;
  }
  if (typeof azp !== 'string' || !accepted.includes(azp)) throw new BrokerError('AUDIENCE_MISMATCH', 'azp is not an accepted audience');
};
