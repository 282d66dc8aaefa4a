// Issuance by the role's mode (SPEC §6): AssumeRole with the broker's own credentials, or
// AssumeRoleWithWebIdentity with a token the broker signs as its own OIDC issuer.

import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import type { CredentialIssuer } from '../flows/token-exchange.ts';
import type { StsAdapter } from './sts.ts';
import type { VerifiedIdentity } from '../flows/identity.ts';
import type { RoleOutcome } from '../rules/index.ts';

/** Signs the per-request web-identity token for one role and identity. */
export type WebIdentitySigner = (role: RoleOutcome, identity: VerifiedIdentity, now: Date) => Promise<string>;

export const createCredentialIssuer = (config: BrokerConfig, sts: StsAdapter, signWebIdentity?: WebIdentitySigner): CredentialIssuer =>
  async (role, identity, now) => {
    if (role.issuance === 'assume-role') return sts.assumeRole(role.arn, role.session, config.roles[role.id]?.externalId);
    if (!signWebIdentity) throw new BrokerError('SIGNING_UNAVAILABLE', `no signing key for web-identity role ${role.id}`);
    return sts.assumeRoleWithWebIdentity(role.arn, role.session, await signWebIdentity(role, identity, now));
  };
