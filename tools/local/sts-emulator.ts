// The offline STS emulator of the local stack: speaks the STS Query protocol on 127.0.0.1, validates parameters
// the way STS does (so a broker bug shows up locally, not in production), and mints clearly fake credentials.
// Every call is recorded for tests and tools. AssumeRoleWithWebIdentity verifies the token as STS does for an IAM
// OIDC provider (`brokerTokenVerifier`: the broker's own JWKS, iss, aud, exp) and reads the session tags and
// source identity from the token's AWS claims. GetCallerIdentity names the session of the key that signed the call.

import { rfc3339 } from '../../shared/time.ts';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface StsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly durationSeconds?: number;
  readonly sourceIdentity?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
  readonly policyArns: readonly string[];
  readonly policy?: string;
  readonly webIdentityToken?: string;
}

export interface StsEmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** Verifies an AssumeRoleWithWebIdentity token; resolves its claims or rejects. Without it such calls fail. */
  readonly verifyWebIdentity?: (token: string) => Promise<Record<string, unknown>>;
  /** Cap of AssumeRole DurationSeconds: 3600, as for the broker's role-chained credentials in Lambda. */
  readonly assumeRoleMaxSeconds?: number;
  readonly now?: () => Date;
}

export interface StsEmulator {
  readonly url: string;
  readonly calls: StsCall[];
  /** Makes the next `count` calls fail with this STS error code (Throttling, AccessDenied, …). */
  failNext(code: string, count?: number): void;
  stop(): Promise<void>;
}

const NAME = /^[\w+=,.@-]{2,64}$/;
const TAG = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

class StsFault extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 256 * 1024) req.destroy(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const members = (params: Record<string, string>, prefix: string, field?: string): string[] => {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const value = params[field ? `${prefix}.member.${i}.${field}` : `${prefix}.member.${i}`];
    if (value === undefined) return out;
    out.push(value);
  }
};

const xmlEscape = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

const fakeKeyId = (): string => `ASIA${'LOCALFAKE'}${randomBytes(6).toString('hex').toUpperCase().slice(0, 7)}`;

/** Checks STS applies before issuing; messages follow STS's wording loosely. */
const validate = (call: StsCall, maxSeconds: number): void => {
  if (!call.roleArn || !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(call.roleArn)) throw new StsFault('ValidationError', 'roleArn is invalid');
  if (!call.roleSessionName || !NAME.test(call.roleSessionName)) throw new StsFault('ValidationError', 'roleSessionName fails the constraint [\\w+=,.@-]{2,64}');
  if (call.sourceIdentity !== undefined && !NAME.test(call.sourceIdentity)) throw new StsFault('ValidationError', 'sourceIdentity fails the constraint [\\w+=,.@-]{2,64}');
  const duration = call.durationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > maxSeconds) {
    throw new StsFault('ValidationError', `The requested DurationSeconds exceeds the limit (${maxSeconds}) or is under 900`);
  }
  const keys = Object.keys(call.tags);
  if (keys.length > 50) throw new StsFault('ValidationError', 'at most 50 session tags');
  const lower = new Set<string>();
  for (const key of keys) {
    const value = call.tags[key] ?? '';
    if (key.length < 1 || key.length > 128 || !TAG.test(key)) throw new StsFault('ValidationError', 'tag key fails the constraint');
    if (value.length > 256 || !TAG.test(value)) throw new StsFault('ValidationError', 'tag value fails the constraint');
    if (lower.has(key.toLowerCase())) throw new StsFault('InvalidParameterValue', 'duplicate tag keys (case-insensitive)');
    lower.add(key.toLowerCase());
  }
  for (const key of call.transitiveTagKeys) if (!keys.includes(key)) throw new StsFault('InvalidParameterValue', 'transitive tag key is not a session tag');
  if (call.policy !== undefined && call.policy.length > 2048) throw new StsFault('ValidationError', 'policy exceeds 2048 characters');
  if (call.policyArns.length > 10) throw new StsFault('ValidationError', 'at most 10 policy ARNs');
};

const parseCall = (params: Record<string, string>): StsCall => {
  const keys = members(params, 'Tags', 'Key');
  const values = members(params, 'Tags', 'Value');
  const tags: Record<string, string> = {};
  keys.forEach((k, i) => (tags[k] = values[i] ?? ''));
  return {
    action: params.Action ?? '',
    params,
    roleArn: params.RoleArn,
    roleSessionName: params.RoleSessionName,
    durationSeconds: params.DurationSeconds === undefined ? undefined : Number(params.DurationSeconds),
    sourceIdentity: params.SourceIdentity,
    tags,
    transitiveTagKeys: members(params, 'TransitiveTagKeys'),
    policyArns: members(params, 'PolicyArns', 'arn'),
    policy: params.Policy,
    webIdentityToken: params.WebIdentityToken,
  };
};

/** Who a key the emulator issued belongs to, for GetCallerIdentity. */
interface Caller {
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
}

const success = (action: string, call: StsCall, extra: string, now: Date, callers: Map<string, Caller>): string => {
  const expiration = rfc3339(new Date(now.getTime() + (call.durationSeconds ?? 3600) * 1000));
  const account = /::(\d{12}):/.exec(call.roleArn ?? '')?.[1] ?? '000000000000';
  const roleName = (call.roleArn ?? '').split('/').pop() ?? 'role';
  const accessKeyId = fakeKeyId();
  callers.set(accessKeyId, { arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${call.roleSessionName ?? ''}`, userId: `AROALOCALFAKE:${call.roleSessionName ?? ''}`, account });
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    ${extra}
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(call.roleSessionName ?? '')}</Arn>
      <AssumedRoleId>AROALOCALFAKE:${xmlEscape(call.roleSessionName ?? '')}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>local-fake-secret-${randomBytes(15).toString('hex')}</SecretAccessKey>
      <SessionToken>FAKE-LOCAL-SESSION-TOKEN-${randomBytes(24).toString('base64url')}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </${action}Result>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</${action}Response>`;
};

export interface BrokerTokenVerifierOptions {
  /** Where the broker serves its JWKS (the local server: `<broker>/.well-known/jwks.json`). */
  readonly jwksUrl: string;
  /** broker.baseUrl: the URL of the IAM OIDC provider the token must come from. */
  readonly issuer: string;
  /** The client id registered with that provider (broker.tokenAudience, sts.amazonaws.com by default). */
  readonly audience: string;
  readonly now?: () => Date;
}

/** Verifies a web-identity token as STS does for an IAM OIDC provider: RS256 by a key of the issuer's JWKS, iss, aud, exp. */
export const brokerTokenVerifier = (options: BrokerTokenVerifierOptions): ((token: string) => Promise<Record<string, unknown>>) => {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 3000, cooldownDuration: 0 });
  return async (token) => {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ['RS256'],
      requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp'],
      currentDate: options.now?.(),
      clockTolerance: 60,
    });
    return payload;
  };
};

const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The session tags and source identity a verified web-identity token carries, in the call's terms. */
const webIdentitySession = (call: StsCall, claims: Record<string, unknown>): StsCall => {
  const tags = Object.create(null) as Record<string, string>;
  let transitiveTagKeys: string[] = [];
  const tagsClaim = claims[TAGS_CLAIM];
  if (tagsClaim !== undefined) {
    if (!isRecord(tagsClaim) || !isRecord(tagsClaim.principal_tags)) throw new StsFault('InvalidIdentityToken', `${TAGS_CLAIM} must hold principal_tags`);
    for (const [key, value] of Object.entries(tagsClaim.principal_tags)) {
      if (!Array.isArray(value) || value.length !== 1 || typeof value[0] !== 'string') throw new StsFault('InvalidIdentityToken', `principal tag ${key} must be one string in an array`);
      tags[key] = value[0];
    }
    const transitive = tagsClaim.transitive_tag_keys;
    if (transitive !== undefined && (!Array.isArray(transitive) || !transitive.every((k) => typeof k === 'string'))) {
      throw new StsFault('InvalidIdentityToken', 'transitive_tag_keys must be an array of strings');
    }
    transitiveTagKeys = (transitive as string[] | undefined) ?? [];
  }
  const sourceIdentity = claims[SOURCE_IDENTITY_CLAIM];
  if (sourceIdentity !== undefined && typeof sourceIdentity !== 'string') throw new StsFault('InvalidIdentityToken', `${SOURCE_IDENTITY_CLAIM} must be a string`);
  return { ...call, tags, transitiveTagKeys, sourceIdentity };
};

const errorXml = (fault: StsFault): string =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${xmlEscape(fault.code)}</Code><Message>${xmlEscape(fault.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;

export const startStsEmulator = async (options: StsEmulatorOptions = {}): Promise<StsEmulator> => {
  const calls: StsCall[] = [];
  const failures: string[] = [];
  const now = options.now ?? ((): Date => new Date());

  const callers = new Map<string, Caller>();

  const handle = async (params: Record<string, string>, authorization: string | undefined): Promise<string> => {
    const call = parseCall(params);
    calls.push(call);
    const injected = failures.shift();
    if (injected) throw new StsFault(injected, `injected ${injected}`, injected === 'Throttling' ? 400 : 403);
    if (call.action === 'AssumeRole') {
      validate(call, options.assumeRoleMaxSeconds ?? 3600);
      return success('AssumeRole', call, call.sourceIdentity ? `<SourceIdentity>${xmlEscape(call.sourceIdentity)}</SourceIdentity>` : '', now(), callers);
    }
    if (call.action === 'AssumeRoleWithWebIdentity') {
      validate(call, 43_200);
      if (!call.webIdentityToken) throw new StsFault('ValidationError', 'WebIdentityToken is required');
      if (call.webIdentityToken.length > 20_000) throw new StsFault('ValidationError', 'WebIdentityToken exceeds 20000 characters');
      if (!options.verifyWebIdentity) throw new StsFault('InvalidIdentityToken', 'no OIDC provider is configured in the emulator');
      let claims: Record<string, unknown>;
      try {
        claims = await options.verifyWebIdentity(call.webIdentityToken);
      } catch {
        throw new StsFault('InvalidIdentityToken', 'the web identity token could not be verified');
      }
      // Tags and source identity come from the token here: record them as the session's, and check them as STS does.
      const session = webIdentitySession(call, claims);
      calls[calls.indexOf(call)] = session;
      validate(session, 43_200);
      const sub = typeof claims.sub === 'string' ? claims.sub : '';
      const aud = Array.isArray(claims.aud) ? String(claims.aud[0]) : String(claims.aud ?? '');
      const sourceIdentity = claims['https://aws.amazon.com/source_identity'];
      const extra = [
        `<SubjectFromWebIdentityToken>${xmlEscape(sub)}</SubjectFromWebIdentityToken>`,
        `<Audience>${xmlEscape(aud)}</Audience>`,
        `<Provider>${xmlEscape(String(claims.iss ?? ''))}</Provider>`,
        typeof sourceIdentity === 'string' ? `<SourceIdentity>${xmlEscape(sourceIdentity)}</SourceIdentity>` : '',
      ].join('');
      return success('AssumeRoleWithWebIdentity', call, extra, now(), callers);
    }
    if (call.action === 'GetCallerIdentity') {
      // The session of a key this emulator issued (so a test can tell whose credentials a client signed with); any
      // other key gets a generic local identity (signatures are not checked here).
      const caller = callers.get(/Credential=([A-Z0-9]{16,128})\//.exec(authorization ?? '')?.[1] ?? '') ?? { arn: 'arn:aws:sts::000000000000:assumed-role/local/local', userId: 'LOCAL', account: '000000000000' };
      return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${xmlEscape(caller.arn)}</Arn><UserId>${xmlEscape(caller.userId)}</UserId><Account>${caller.account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
    }
    throw new StsFault('InvalidAction', 'unsupported action');
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method !== 'POST') throw new StsFault('InvalidAction', 'POST only');
        const params = Object.fromEntries(new URLSearchParams(await readBody(req)));
        const body = await handle(params, req.headers.authorization);
        res.writeHead(200, { 'content-type': 'text/xml' }).end(body);
      } catch (error) {
        const fault = error instanceof StsFault ? error : new StsFault('InternalFailure', 'emulator error', 500);
        res.writeHead(fault.status, { 'content-type': 'text/xml' }).end(errorXml(fault));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    calls,
    failNext: (code, count = 1) => {
      for (let i = 0; i < count; i++) failures.push(code);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
