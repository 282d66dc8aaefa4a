// The one way a flow asks the rules engine: the verified identity's claims with the request's facts (source IP,
// time), its IdP session and broker session as duration bounds, and the config's policy and default duration.

import { logger } from '../audit/logger.ts';
import type { BrokerConfig } from '../config/index.ts';
import { identityInput } from '../identity/rules-input.ts';
import { idpSecondsLeft, sessionSecondsLeft, type VerifiedIdentity } from '../identity/verified-identity.ts';
import type { RequestContext } from '../request.ts';
import { decide, type Decision } from '../rules/index.ts';

export interface DecisionRequest {
  readonly identity: VerifiedIdentity;
  readonly ctx: RequestContext;
  readonly now: Date;
  /** One role, by id or by ARN; undefined lists every granted role. */
  readonly role?: { readonly id?: string | undefined; readonly arn?: string | undefined } | undefined;
  readonly requestedSeconds?: number | undefined;
}

export const decideFor = (config: BrokerConfig, request: DecisionRequest): Decision => {
  const { malformedAsserted, ...input } = identityInput(config, request.identity.providerId, request.identity.rawClaims, { sourceIp: request.ctx.sourceIp, time: request.now });
  // The IdP sent role values that are not role ARNs: ignored, and said so — by count and position, never the values.
  if (malformedAsserted.length > 0) {
    logger.warn('asserted role values ignored as malformed', { requestId: request.ctx.requestId, provider: request.identity.providerId, count: malformedAsserted.length, positions: malformedAsserted.slice(0, 20) });
  }
  return decide({
    policy: config.policy,
    provider: request.identity.providerId,
    ...input,
    role: request.role,
    requestedSeconds: request.requestedSeconds,
    defaultSeconds: config.broker.defaultSessionSeconds,
    idpSecondsLeft: idpSecondsLeft(request.identity, request.now),
    sessionSecondsLeft: sessionSecondsLeft(request.identity, request.now),
  });
};
