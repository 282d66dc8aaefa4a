// Web-identity issuance (docs/issuance.md): the broker is its own OIDC issuer. Per request it signs a 5-minute RS256 token
// for the granted role, carrying the session's tags and source identity in the claims STS reads
// (AssumeRoleWithWebIdentity has no Tags or SourceIdentity parameters), and STS verifies it against the
// broker's JWKS. No role chaining is involved, so sessions reach the role's 12-hour maximum.

import { randomBytes } from 'node:crypto';
import { BrokerError } from '../errors.ts';
import type { Principal, WebIdentitySigner } from './issue.ts';
import { ROLE_CHAINING_CAP, STS_MAXIMUM, type Issuance, type RoleOutcome } from '../rules/index.ts';

import type { SigningKey } from './signing-key.ts';

/** Lifetime of a web-identity token: long enough for one STS call with retries, short enough to be useless later. */
export const WEB_IDENTITY_TOKEN_SECONDS = 300;
/** STS refuses a WebIdentityToken longer than this. */
export const MAX_WEB_IDENTITY_TOKEN_CHARS = 20_000;
export const AWS_TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const AWS_SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

export interface AwsTagsClaim {
  /** One string in an array per tag, as STS expects. */
  readonly principal_tags: Readonly<Record<string, readonly [string]>>;
  readonly transitive_tag_keys?: readonly string[];
}

export interface WebIdentityClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly 'https://aws.amazon.com/tags'?: AwsTagsClaim;
  readonly 'https://aws.amazon.com/source_identity'?: string;
}

export interface WebIdentityTokenOptions {
  /** broker.baseUrl, exactly: the IAM OIDC provider's URL. */
  readonly issuer: string;
  /** broker.tokenAudience (default sts.amazonaws.com): the IAM OIDC provider's client id. */
  readonly audience: string;
  readonly key: SigningKey;
  /** The `jti` of each token; 128 random bits unless a test passes its own. */
  readonly tokenId?: () => string;
}

const randomTokenId = (): string => randomBytes(16).toString('base64url');

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

/** The claims of the token for one granted role and identity, at `now`. */
export const webIdentityClaims = (
  role: RoleOutcome,
  identity: Principal,
  now: Date,
  options: { readonly issuer: string; readonly audience: string; readonly jti: string },
): WebIdentityClaims => {
  const iat = Math.floor(now.getTime() / 1000);
  const { session } = role;
  const tagKeys = Object.keys(session.tags);
  // fromEntries defines own properties: a tag named __proto__ stays a tag.
  const principalTags = Object.fromEntries(Object.entries(session.tags).map(([key, value]): [string, readonly [string]] => [key, [value]]));
  return {
    iss: options.issuer,
    // The provider id keeps two IdPs' subjects apart: trust policies match on `<host>:sub` "corp-oidc:*".
    sub: `${identity.providerId}:${identity.subject}`,
    aud: options.audience,
    iat,
    exp: iat + WEB_IDENTITY_TOKEN_SECONDS,
    jti: options.jti,
    ...(tagKeys.length > 0
      ? { [AWS_TAGS_CLAIM]: { principal_tags: principalTags, ...(session.transitiveTags.length > 0 ? { transitive_tag_keys: [...session.transitiveTags] } : {}) } }
      : {}),
    ...(session.sourceIdentity === undefined ? {} : { [AWS_SOURCE_IDENTITY_CLAIM]: session.sourceIdentity }),
  };
};

/** Signs one compact JWS (RS256, typ JWT, kid = the key's thumbprint) per call. */
export const createWebIdentitySigner = (options: WebIdentityTokenOptions): WebIdentitySigner => {
  const tokenId = options.tokenId ?? randomTokenId;
  return async (role, identity, now) => {
    const { kid } = await options.key.publicJwk();
    const header = { alg: 'RS256', typ: 'JWT', kid };
    const claims = webIdentityClaims(role, identity, now, { issuer: options.issuer, audience: options.audience, jti: tokenId() });
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(await options.key.sign(new TextEncoder().encode(input)))}`;
    // Refused here with the reason, rather than as STS's ValidationError: only the tags make a token this long.
    if (token.length > MAX_WEB_IDENTITY_TOKEN_CHARS) {
      throw new BrokerError('STS_REJECTED', `web-identity token of ${token.length} chars for ${role.arn}`, {
        publicDetail: `The web-identity token for ${role.arn} would exceed the STS limit of ${MAX_WEB_IDENTITY_TOKEN_CHARS} characters; configure fewer or shorter session tags.`,
      });
    }
    return token;
  };
};

/**
 * The longest console session (federation SessionDuration) the credentials of a role can open: AWS refuses more
 * than 1 hour for role-chained (assume-role) credentials, up to 12 hours for web-identity ones.
 */
export const maxConsoleSessionSeconds = (issuance: Issuance, durationSeconds: number): number =>
  Math.min(durationSeconds, issuance === 'assume-role' ? ROLE_CHAINING_CAP : STS_MAXIMUM);
