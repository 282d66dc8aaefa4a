// The whole broker in one process for the security suite and the fuzzers, booted by tools/local/boot.ts: every
// handler imported after the environment is set (as a Lambda cold start would read it), with real peers on
// 127.0.0.1 — the test OIDC IdP (discovery, JWKS, and a code-flow token endpoint), the samlify test IdP, dynalite for
// the replay table and a console federation endpoint. STS is aws-sdk-client-mock, so every STS call (or its
// absence) is inspectable.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { bootBroker, freshSealingSecret } from '../../tools/local/boot.ts';
import { startConsoleEmulator } from '../../tools/local/console-emulator.ts';
import { captureOutput, type Capture } from './capture.ts';
import { startTestOidcIdp, type TestOidcIdp } from './oidc.ts';
import { ATTR, createTestIdp, SP_ENTITY_ID, type TestIdp } from './saml-idp.ts';
import { startCodeFlowEndpoint, type CodeFlowEndpoint } from './security-code-flow.ts';
import type { Handler, HandlerName } from './security-http.ts';

export * from './security-http.ts';

export const BASE_URL = 'https://broker.example.com';
export const OIDC_PROVIDER = 'corp-oidc';
export const SAML_PROVIDER = 'corp-saml';
export const ROLE_ARNS = {
  readonly: 'arn:aws:iam::111122223333:role/DevReadOnly',
  web: 'arn:aws:iam::111122223333:role/WebIdentity',
  admin: 'arn:aws:iam::444455556666:role/ProdAdmin',
  ops: 'arn:aws:iam::111122223333:role/Ops',
  audit: 'arn:aws:iam::111122223333:role/Audit',
  proto: 'arn:aws:iam::111122223333:role/Proto',
} as const;
const SEALING_ENV = 'SECURITY_SUITE_SEALING_SECRET';
/** broker.cli.sessionSeconds of the suite's broker (CLI sign-in enabled). */
export const CLI_SESSION_SECONDS = 3600;

/** The rules every suite shares; each row of the rule tables names the role it aims at. */
export const SECURITY_RULES: unknown[] = [
  { id: 'no-contractors', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
  {
    id: 'devs',
    roles: ['readonly'],
    conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-dev'] }, Bool: { 'broker:mfa': true } },
    session: { name: '${email}', sourceIdentity: '${email}', tags: { Team: '${department}', Groups: '${groups}', Missing: '${nope}' }, transitiveTags: ['Team', 'Missing'] },
  },
  { id: 'web', roles: ['web'], conditions: { 'ForAnyValue:StringEquals': { groups: ['aws-web'] } }, session: { name: '${email}', sourceIdentity: '${email}', tags: { Team: '${department}' } } },
  { id: 'admins', roles: ['admin'], conditions: { StringEquals: { email: 'admin@example.com' }, 'ForAnyValue:StringEquals': { groups: ['prod-admins'] } } },
  { id: 'ops', roles: ['ops'], conditions: { StringLike: { email: 'ops-*@example.com' } } },
  { id: 'auditors', roles: ['audit'], conditions: { StringEqualsIgnoreCase: { department: ['kernel', 'infra'] } } },
  { id: 'auditors-nfc', roles: ['audit'], conditions: { StringEquals: { email: 'zoë@example.com' } } },
  // A claim mapped by a JSON pointer (OIDC `teams: /org/teams`) that a deny rule reads.
  { id: 'no-contractor-teams', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { teams: ['contractors'] } } },
  // Condition keys that are Object.prototype names: only own claims of those names may satisfy them.
  { id: 'proto-names', roles: ['proto'], conditions: { Null: { toString: false, constructor: false, hasOwnProperty: false } } },
];

export interface BrokerOptions {
  /** Replaces SECURITY_RULES. */
  readonly rules?: unknown[];
  /** Changes the config document before the broker boots (accounts, roles, provider settings). */
  readonly edit?: (config: Record<string, any>) => void;
  /** More files beside the config (an accountsFile). */
  readonly files?: Readonly<Record<string, string>>;
  /** Capture stdout/stderr (the logger) for the whole run; default true. */
  readonly capture?: boolean;
}

export interface BrokerUnderTest {
  readonly oidc: TestOidcIdp;
  readonly codeFlow: CodeFlowEndpoint;
  readonly saml: TestIdp;
  readonly sts: ReturnType<typeof mockClient>;
  readonly handlers: Readonly<Record<HandlerName, Handler>>;
  readonly capture: Capture | undefined;
  readonly sealingSecret: string;
  /** Every credential secret STS handed out (for the log checks). */
  readonly issuedSecrets: readonly string[];
  /** Number of STS calls of either kind since the last reset. */
  stsCalls(): number;
  resetSts(): void;
  stop(): Promise<void>;
}

const HANDLER_NAMES: readonly HandlerName[] = ['token', 'roles', 'saml', 'oidc', 'session', 'web', 'issuer', 'cli'];

export const startBrokerUnderTest = async (options: BrokerOptions = {}): Promise<BrokerUnderTest> => {
  const capture = options.capture === false ? undefined : captureOutput();
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const oidc = await startTestOidcIdp();
    stops.push(() => oidc.close());
    const codeFlow = await startCodeFlowEndpoint(oidc);
    stops.push(() => codeFlow.close());
    const saml = await createTestIdp();
    const federation = await startConsoleEmulator();
    stops.push(() => federation.stop());

    const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const config = {
      version: 1,
      broker: {
        baseUrl: BASE_URL,
        samlEntityId: SP_ENTITY_ID,
        defaultSessionSeconds: 3600,
        sealingSecret: `env:${SEALING_ENV}`,
        signingKey: 'file:signing.pem',
        signinUrl: federation.signinUrl,
        cli: { sessionSeconds: CLI_SESSION_SECONDS },
      },
      providers: {
        [OIDC_PROVIDER]: { type: 'oidc', issuer: oidc.issuer, clientId: oidc.clientId, claims: { teams: '/org/teams' } },
        [SAML_PROVIDER]: {
          type: 'saml',
          metadataXml: saml.metadataXml,
          allowIdpInitiated: true,
          claims: { email: ATTR.email, groups: ATTR.groups, department: ATTR.department },
        },
      },
      roles: {
        readonly: { arn: ROLE_ARNS.readonly, label: 'Dev read only', maxSessionSeconds: 3600 },
        web: { arn: ROLE_ARNS.web, maxSessionSeconds: 43200, issuance: 'web-identity' },
        admin: { arn: ROLE_ARNS.admin, maxSessionSeconds: 3600 },
        ops: { arn: ROLE_ARNS.ops, maxSessionSeconds: 3600 },
        audit: { arn: ROLE_ARNS.audit, maxSessionSeconds: 3600 },
        proto: { arn: ROLE_ARNS.proto, maxSessionSeconds: 3600 },
      },
      rules: options.rules ?? SECURITY_RULES,
    };
    options.edit?.(config);
    const sealingSecret = freshSealingSecret();
    // STS in this process (aws-sdk-client-mock below); dynalite for the replay table.
    const booted = await bootBroker({
      config: { document: config, files: { 'signing.pem': signingKey, ...options.files } },
      replayTable: 'replay-security',
      sts: 'in-process',
      credentials: 'local',
      env: { [SEALING_ENV]: sealingSecret },
    });
    stops.push(() => booted.stop());

    const sts = mockClient(STSClient);
    stops.push(async () => sts.restore());
    const issuedSecrets: string[] = [];
    let counter = 0;
    const credentials = () => {
      counter += 1;
      const c = {
        AccessKeyId: `ASIASECURITY${String(counter).padStart(8, '0')}`,
        SecretAccessKey: `sts-secret-${counter}-${randomBytes(8).toString('hex')}`,
        SessionToken: `sts-session-token-${counter}-${randomBytes(8).toString('hex')}`,
        Expiration: new Date(Date.now() + 3600_000),
      };
      issuedSecrets.push(c.SecretAccessKey, c.SessionToken);
      return { Credentials: c };
    };
    const resetSts = (): void => {
      sts.reset();
      sts.on(AssumeRoleCommand).callsFake(credentials);
      sts.on(AssumeRoleWithWebIdentityCommand).callsFake(credentials);
    };
    resetSts();

    const handlers = {} as Record<HandlerName, Handler>;
    for (const name of HANDLER_NAMES) handlers[name] = await booted.handler(name);

    return {
      oidc,
      codeFlow,
      saml,
      sts,
      handlers,
      capture,
      sealingSecret,
      issuedSecrets,
      stsCalls: () => sts.commandCalls(AssumeRoleCommand).length + sts.commandCalls(AssumeRoleWithWebIdentityCommand).length,
      resetSts,
      stop: async () => {
        capture?.restore();
        await stopAll();
      },
    };
  } catch (error) {
    capture?.restore();
    await stopAll();
    throw error;
  }
};

/**
 * The broker of one test file: started in beforeAll, stopped in afterAll. The returned object is filled in by
 * beforeAll, so the file uses it as the started broker. `resetStsEach`: the STS mock is reset before every test.
 */
export const useBrokerUnderTest = (options: { readonly resetStsEach?: boolean } & BrokerOptions = {}): BrokerUnderTest => {
  const broker = {} as BrokerUnderTest;
  let started = false;
  beforeAll(async () => {
    Object.assign(broker, await startBrokerUnderTest(options));
    started = true;
  }, 60_000);
  afterAll(async () => {
    if (started) await broker.stop();
  });
  if (options.resetStsEach === true) beforeEach(() => broker.resetSts());
  return broker;
};
