// Issuance by the role's mode (docs/issuance.md): AssumeRole with the broker's own credentials, or
// AssumeRoleWithWebIdentity with a token the broker signs as its own OIDC issuer.

import { BrokerError } from '../errors.ts';
import type { RoleOutcome } from '../rules/index.ts';
import type { AwsCredentials, StsAdapter } from './sts.ts';

/** Whom credentials are issued for: the provider and the subject it vouched for. */
export interface Principal {
  readonly providerId: string;
  readonly subject: string;
}

/** Issues credentials for one decided role. */
export type CredentialIssuer = (role: RoleOutcome, principal: Principal, now: Date) => Promise<AwsCredentials>;

/** Signs the per-request web-identity token for one role and principal. */
export type WebIdentitySigner = (role: RoleOutcome, principal: Principal, now: Date) => Promise<string>;

export interface IssuerOptions {
  readonly sts: StsAdapter;
  /** ExternalId per role id (roles.<id>.externalId). */
  readonly externalIdOf: (roleId: string) => string | undefined;
  /** Absent without broker.signingKey: web-identity roles then fail SIGNING_UNAVAILABLE. */
  readonly signWebIdentity?: WebIdentitySigner | undefined;
}

export const createCredentialIssuer = (options: IssuerOptions): CredentialIssuer =>
  async (role, principal, now) => {
    if (role.issuance === 'assume-role') return options.sts.assumeRole(role.arn, role.session, options.externalIdOf(role.id));
    if (!options.signWebIdentity) throw new BrokerError('SIGNING_UNAVAILABLE', `no signing key for web-identity role ${role.id}`);
    return options.sts.assumeRoleWithWebIdentity(role.arn, role.session, await options.signWebIdentity(role, principal, now));
  };
