// The config file's schema (docs/configuration.md). zod/mini keeps the Lambda bundles small; objects are strict so that a
// misspelt key is an error rather than a silently ignored setting.

import * as z from 'zod/mini';
import { ID, isSecureOrLoopbackUrl, POLICY_ARN } from '../patterns.ts';
import { describeIssue } from './messages.ts';

// The config is parsed once per cold start: zod's JIT (code generated with `new Function` on the first parse) costs
// more than it saves for one parse (~15 ms of a cold start), and no code is generated at run time.
z.config({ jitless: true, customError: describeIssue });

/** A role ARN, or a role template's: `${account}` in place of the account id. */
const ROLE_ARN_OR_TEMPLATE = /^arn:aws[a-z-]*:iam::(?:\d{12}|\$\{account\}):role\/[\w+=,.@/-]{1,512}$/;
/** A secret is always a reference, never a literal: `env:NAME` or `ssm:/path`. */
export const SECRET_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[A-Za-z0-9_./-]+)$/;
/** Key material: a secret reference, a file relative to the config (`file:keys/sp.pem`) or, for signing, a KMS key. */
const KEY_REF = /^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[A-Za-z0-9_./-]+|file:.+)$/;
const SIGNING_KEY_REF = /^(kms:.*|file:.+|env:[A-Za-z_][A-Za-z0-9_]*|ssm:\/[A-Za-z0-9_./-]+)$/;

const seconds = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
const nonEmpty = () => z.string().check(z.minLength(1));
const id = (what: string) => z.string().check(z.regex(ID, `must be a ${what} id: letters, digits, '.', '_', '-' (at most 64)`));

/** https, or http on loopback for development and tests. */
const webUrl = (what: string) =>
  z.string().check(
    z.refine((v) => {
      try {
        const u = new URL(v);
        return isSecureOrLoopbackUrl(u);
      } catch {
        return false;
      }
    }, `${what} must be an https:// URL (http:// only on 127.0.0.1 or localhost)`),
  );

const mfa = z.strictObject({
  acr: z.optional(z.array(nonEmpty())),
  amr: z.optional(z.array(nonEmpty())),
});

const claimMappings = z.record(nonEmpty(), nonEmpty());

/** IdP-asserted roles (docs/accounts.md): the attribute (SAML) or claim (OIDC) that lists role ARNs, and the ARNs accepted. */
const assertedRoles = z.strictObject({
  attribute: nonEmpty(),
  allow: z.array(z.string().check(z.regex(/^arn:[^\s]+$/, 'must be a role ARN pattern (arn:aws:iam::*:role/Okta-*)'))).check(z.minLength(1, 'needs at least one role ARN pattern')),
  maxSessionSeconds: z._default(seconds(900, 43_200), 3600),
});

const samlProvider = z.strictObject({
  type: z.literal('saml'),
  label: z.optional(nonEmpty()),
  metadataFile: z.optional(nonEmpty()),
  metadataXml: z.optional(nonEmpty()),
  allowIdpInitiated: z._default(z.boolean(), false),
  wantAssertionsSigned: z._default(z.boolean(), false),
  allowSha1: z._default(z.boolean(), false),
  /** Overrides broker.maxAssertionAgeSeconds (IssueInstant age) for this provider. */
  maxAssertionAgeSeconds: z.optional(seconds(30, 31_622_400)),
  /** SP private key for EncryptedAssertion (PEM: file:, env: or ssm: reference). */
  decryptionKey: z.optional(z.string().check(z.regex(KEY_REF, 'must be file:PATH, env:NAME or ssm:/path'))),
  decryptionCert: z.optional(z.string().check(z.regex(KEY_REF, 'must be file:PATH, env:NAME or ssm:/path'))),
  mfa: z.optional(mfa),
  claims: z.optional(claimMappings),
  assertedRoles: z.optional(assertedRoles),
});

const oidcProvider = z.strictObject({
  type: z.literal('oidc'),
  label: z.optional(nonEmpty()),
  issuer: webUrl('issuer'),
  /** Keys from a JWKS file instead of discovery (air-gapped or development issuers). */
  jwksFile: z.optional(nonEmpty()),
  clientId: z.optional(nonEmpty()),
  clientSecret: z.optional(z.string().check(z.regex(SECRET_REF, 'must be a secret reference: env:NAME or ssm:/path'))),
  clientAuth: z.optional(z.enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'])),
  clientPrivateKey: z.optional(z.string().check(z.regex(KEY_REF, 'must be file:PATH, env:NAME or ssm:/path'))),
  audiences: z.optional(z.array(nonEmpty()).check(z.minLength(1))),
  scopes: z._default(z.array(nonEmpty()), ['openid', 'email', 'profile']),
  algorithms: z._default(
    z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).check(z.minLength(1)),
    ['RS256', 'PS256', 'ES256', 'EdDSA'],
  ),
  /** Refuse a token whose `jti` was already exchanged (needs the replay table). */
  singleUseJti: z._default(z.boolean(), false),
  /** Accepted JOSE `typ` header values; a token without `typ` is accepted. */
  typ: z._default(z.array(nonEmpty()), ['JWT']),
  maxTokenAgeSeconds: z.optional(seconds(60, 31_622_400)),
  mfa: z.optional(mfa),
  claims: z.optional(claimMappings),
  assertedRoles: z.optional(assertedRoles),
});

const provider = z.discriminatedUnion('type', [samlProvider, oidcProvider]);

/** A tag selector's values: one value or a list of alternatives. */
const tagValues = z.union([z.string(), z.array(z.string()).check(z.minLength(1, 'needs at least one value'))], { error: 'must be a string or a list of strings' });

const role = z.strictObject({
  arn: z.string().check(z.regex(ROLE_ARN_OR_TEMPLATE, 'must be an IAM role ARN (arn:aws:iam::123456789012:role/Name), or arn:aws:iam::${account}:role/Name for a role template')),
  /** A role template's accounts: names, "*", or a tag selector. */
  accounts: z.optional(
    z.union([z.array(nonEmpty()).check(z.minLength(1, 'needs at least one account name (or "*")')), z.strictObject({ tags: z.record(nonEmpty(), tagValues) })], {
      error: 'must be a list of account names ("*" for all) or { tags: { key: [values] } }',
    }),
  ),
  label: z.optional(nonEmpty()),
  maxSessionSeconds: z._default(seconds(900, 43_200), 3600),
  issuance: z._default(z.enum(['assume-role', 'web-identity']), 'assume-role'),
  externalId: z.optional(z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2–1224 chars of [\\w+=,.@:/-]'))),
});

const conditionScalar = z.union([z.string(), z.number(), z.boolean()]);
const conditionValue = z.union([conditionScalar, z.array(conditionScalar).check(z.minLength(1, 'needs at least one value'))], {
  error: 'must be a string, a number, true or false, or a list of them',
});
const conditions = z.record(z.string(), z.record(nonEmpty(), conditionValue));

const session = z.strictObject({
  maxSeconds: z.optional(seconds(900, 43_200)),
  name: z.optional(nonEmpty()),
  sourceIdentity: z.optional(nonEmpty()),
  tags: z.optional(z.record(z.string(), z.string())),
  transitiveTags: z.optional(z.array(nonEmpty())),
  policyArns: z.optional(z.array(z.string().check(z.regex(POLICY_ARN, 'must be an IAM policy ARN')))),
  /** An inline session policy: a mapping, or the same document as a JSON string (as CloudFormation accepts both). */
  policy: z.optional(z.union([z.record(z.string(), z.unknown()), z.string()])),
});

const rule = z.strictObject({
  id: z.optional(id('rule')),
  effect: z._default(z.enum(['allow', 'deny']), 'allow'),
  providers: z.optional(z.array(nonEmpty()).check(z.minLength(1))),
  roles: z.array(nonEmpty()).check(z.minLength(1, 'a rule lists at least one role (or "*")')),
  conditions: z.optional(conditions),
  session: z.optional(session),
});

const broker = z.strictObject({
  baseUrl: webUrl('baseUrl'),
  samlEntityId: z.optional(nonEmpty()),
  clockSkewSeconds: z._default(seconds(0, 600), 60),
  maxAssertionAgeSeconds: z._default(seconds(30, 86_400), 600),
  maxTokenAgeSeconds: z._default(seconds(60, 86_400), 3600),
  defaultSessionSeconds: z._default(seconds(900, 43_200), 3600),
  signingKey: z.optional(z.string().check(z.regex(SIGNING_KEY_REF, 'must be kms:KEY, file:PATH, env:NAME or ssm:/path'))),
  previousSigningKey: z.optional(z.string().check(z.regex(SIGNING_KEY_REF, 'must be kms:KEY, file:PATH, env:NAME or ssm:/path'))),
  tokenAudience: z._default(nonEmpty(), 'sts.amazonaws.com'),
  signinUrl: z._default(webUrl('signinUrl'), 'https://signin.aws.amazon.com/federation'),
  /** Key that seals role-picker tickets and flow cookies (≥ 32 bytes of secret): a secret reference. */
  sealingSecret: z.optional(z.string().check(z.regex(SECRET_REF, 'must be a secret reference: env:NAME or ssm:/path'))),
  /** CLI sign-in (broker sessions for `fbroker`); absent: the /cli routes answer 404. */
  cli: z.optional(
    z.strictObject({
      /** Longest life of a broker session; the IdP's own session may end it sooner. */
      sessionSeconds: z._default(seconds(900, 43_200), 28_800),
    }),
  ),
});

/**
 * `accounts:` (and the `accounts` member of an accountsFile): account name → { id, label, tags }. Checked entry by
 * entry in shared/config/accounts.ts rather than by the schema: a thousand accounts cost the schema ~40 ms of cold start.
 */
export const accountsSchema = z.record(z.string(), z.unknown());

export const configSchema = z.strictObject({
  version: z.literal(1),
  broker,
  providers: z.record(id('provider'), provider),
  /** AWS accounts by name (docs/accounts.md); or `accountsFile`. */
  accounts: z.optional(accountsSchema),
  /** A JSON file of accounts: `aws organizations list-accounts` output, or `{"accounts": {...}}` (relative to this file). */
  accountsFile: z.optional(nonEmpty()),
  roles: z.record(id('role'), role),
  rules: z.array(rule),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type ProviderConfig = ParsedConfig['providers'][string];
export type SamlProviderConfig = Extract<ProviderConfig, { type: 'saml' }>;
export type OidcProviderConfig = Extract<ProviderConfig, { type: 'oidc' }>;
export type RoleConfig = ParsedConfig['roles'][string];
export type RuleConfig = ParsedConfig['rules'][number];
