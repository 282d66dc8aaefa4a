// Where `explain` gets the identity from: a claims file (as a token would carry them), a JWT verified against
// its provider, or a captured SAML response verified against the provider's metadata.

import type { BrokerConfig } from '../../shared/config/index.ts';
import { BrokerError } from '../../shared/errors.ts';
import { identityClaims } from '../../shared/identity/claims.ts';
import type { Explained } from '../../shared/identity/explain.ts';
import { decide } from '../../shared/rules/index.ts';

export type IdentitySource =
  | { readonly kind: 'claims'; readonly raw: Readonly<Record<string, unknown>> }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'saml'; readonly file: string };

export interface ExplainRequest {
  readonly provider: string;
  readonly source: IdentitySource;
  readonly role?: { readonly id?: string; readonly arn?: string } | undefined;
  readonly sourceIp?: string | undefined;
  readonly requestedSeconds?: number | undefined;
  readonly at: Date;
}

const rawClaimsOf = async (config: BrokerConfig, request: ExplainRequest): Promise<{ raw: Readonly<Record<string, unknown>>; idpSecondsLeft?: number }> => {
  switch (request.source.kind) {
    case 'claims':
      return { raw: request.source.raw };
    case 'token': {
      // Verified exactly as POST /token would (signature, issuer, audience, times at --at); a jti is not spent.
      const { createOidcVerifier } = await import('../../shared/oidc/index.ts');
      const verified = await createOidcVerifier(config).verify(request.source.token, request.at, { providerId: request.provider, consumeJti: false });
      return { raw: verified.claims };
    }
    case 'saml':
      throw new BrokerError('NOT_IMPLEMENTED', '--saml-response is not available yet; use --claims');
  }
};

export const explainIdentity = async (config: BrokerConfig, request: ExplainRequest): Promise<Explained> => {
  let verified: Awaited<ReturnType<typeof rawClaimsOf>>;
  try {
    verified = await rawClaimsOf(config, request);
  } catch (error) {
    // A token or assertion the broker refuses is a decision too (deny, with its code); an IdP it cannot reach is not.
    if (error instanceof BrokerError && error.status < 500 && error.code !== 'NOT_IMPLEMENTED') {
      return { outcome: 'deny', code: error.code, detail: error.message, trace: [], notes: [`identity proof refused: ${error.code}`] };
    }
    throw error;
  }
  const { raw, idpSecondsLeft } = verified;
  const claims = identityClaims(config, request.provider, raw, { sourceIp: request.sourceIp, time: request.at });
  return decide({
    policy: config.policy,
    provider: request.provider,
    claims,
    role: request.role,
    requestedSeconds: request.requestedSeconds,
    defaultSeconds: config.broker.defaultSessionSeconds,
    idpSecondsLeft,
  });
};
