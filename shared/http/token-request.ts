// RFC 8693 token-exchange parameters of POST /token and POST /roles, decoded into the flow's TokenRequest, and the
// credential document POST /token answers with.

import { BrokerError } from '../errors.ts';
import { SESSION_TOKEN_TYPE } from '../flows/cli-session.ts';
import type { Exchanged, SubjectTokenKind, TokenRequest } from '../flows/token-exchange.ts';
import type { AwsCredentials } from '../issuance/sts.ts';
import type { RoleOutcome } from '../rules/index.ts';
import { accountView } from '../identity/explain.ts';
import { isRoleRef, ROLE_ARN } from '../patterns.ts';
import { rfc3339 } from '../time.ts';
import type { Params } from './decode.ts';

export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_SAML2 = 'urn:ietf:params:oauth:token-type:saml2';
export const ISSUED_TOKEN_TYPE = 'urn:federation-broker:token-type:aws-credentials';

const invalid = (detail: string): BrokerError => new BrokerError('INVALID_REQUEST', detail, { publicDetail: detail });

const kindOf = (type: string | undefined): SubjectTokenKind => {
  if (type === undefined) throw invalid('subject_token_type is required.');
  if (type === TOKEN_TYPE_ID_TOKEN || type === TOKEN_TYPE_JWT) return 'jwt';
  if (type === TOKEN_TYPE_SAML2) return 'saml2';
  if (type === SESSION_TOKEN_TYPE) return 'session';
  throw new BrokerError('UNSUPPORTED_TOKEN_TYPE', 'unsupported subject_token_type');
};

export interface TokenRequestOptions {
  /** POST /token requires grant_type; POST /roles accepts it absent. */
  readonly requireGrantType: boolean;
  /** The request's `DPoP` header, if any (sessions need it). */
  readonly proof?: string | undefined;
}

export const decodeTokenRequest = (params: Params, options: TokenRequestOptions = { requireGrantType: true }): TokenRequest => {
  const grantType = params.get('grant_type');
  if (options.requireGrantType || grantType !== undefined) {
    if (grantType === undefined) throw invalid('grant_type is required.');
    if (grantType !== GRANT_TYPE_TOKEN_EXCHANGE) throw new BrokerError('UNSUPPORTED_GRANT_TYPE', 'unsupported grant_type');
  }
  // Delegation (actor tokens) is not offered: refusing beats silently ignoring it.
  if (params.has('actor_token') || params.has('actor_token_type')) throw invalid('actor_token is not supported.');
  const requested = params.get('requested_token_type');
  if (requested !== undefined && requested !== ISSUED_TOKEN_TYPE) throw invalid(`requested_token_type must be ${ISSUED_TOKEN_TYPE}.`);
  const subjectToken = params.get('subject_token');
  if (!subjectToken) throw invalid('subject_token is required.');
  const kind = kindOf(params.get('subject_token_type'));
  const roleArn = params.get('resource') || undefined;
  const roleId = params.get('audience') || undefined;
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) throw invalid('resource must be an IAM role ARN.');
  if (roleId !== undefined && !isRoleRef(roleId)) throw invalid('audience must be a role id (role or role@account).');
  const duration = params.get('duration_seconds');
  let durationSeconds: number | undefined;
  if (duration !== undefined && duration !== '') {
    if (!/^\d{1,6}$/.test(duration)) throw invalid('duration_seconds must be a whole number of seconds.');
    durationSeconds = Number(duration);
  }
  return { subjectToken, kind, roleArn, roleId, durationSeconds, proof: options.proof };
};

/** POST /token's answer: valid credential_process output and an RFC 8693 response at once. */
export interface CredentialDocument {
  readonly Version: 1;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
  readonly RoleArn: string;
  readonly issued_token_type: string;
  readonly token_type: 'N_A';
  readonly expires_in: number;
}

export const credentialDocument = (credentials: AwsCredentials, roleArn: string, now: Date): CredentialDocument => ({
  Version: 1,
  AccessKeyId: credentials.accessKeyId,
  SecretAccessKey: credentials.secretAccessKey,
  SessionToken: credentials.sessionToken,
  Expiration: rfc3339(credentials.expiration),
  RoleArn: roleArn,
  issued_token_type: ISSUED_TOKEN_TYPE,
  token_type: 'N_A',
  expires_in: Math.max(0, Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000)),
});

export const exchangedDocument = (exchanged: Exchanged, now: Date): CredentialDocument => credentialDocument(exchanged.credentials, exchanged.role.arn, now);

/** POST /roles's answer; `account` for every role whose account the config knows (docs/accounts.md). */
export const roleListingDocument = (roles: readonly RoleOutcome[]) => ({
  roles: roles.map((r) => ({ id: r.id, arn: r.arn, label: r.label, maxSessionSeconds: r.session.durationSeconds, ...(r.account === undefined ? {} : { account: accountView(r) }) })),
});
