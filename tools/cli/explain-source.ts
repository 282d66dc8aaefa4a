// Where `explain` gets the identity from: a claims file (as a token would carry them), a JWT verified against
// its provider, or a captured SAML response verified against the provider's metadata.

import type { BrokerConfig } from '../../shared/config/index.ts';
import { BrokerError } from '../../shared/errors.ts';
import { identityClaims } from '../../shared/identity/claims.ts';
import { decide, type Decision } from '../../shared/rules/index.ts';

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

const rawClaimsOf = async (_config: BrokerConfig, request: ExplainRequest): Promise<{ raw: Readonly<Record<string, unknown>>; idpSecondsLeft?: number }> => {
  switch (request.source.kind) {
    case 'claims':
      return { raw: request.source.raw };
    case 'token':
    case 'saml':
      throw new BrokerError('NOT_IMPLEMENTED', `--${request.source.kind === 'token' ? 'token' : 'saml-response'} is not available yet; use --claims`);
  }
};

export const explainIdentity = async (config: BrokerConfig, request: ExplainRequest): Promise<Decision> => {
  const { raw, idpSecondsLeft } = await rawClaimsOf(config, request);
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
