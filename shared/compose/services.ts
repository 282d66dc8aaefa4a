// The services of a composed broker that talk to AWS or issue credentials, each built once per broker on first use:
// the replay store (DynamoDB), the STS adapter, the signing keys (PEM or KMS), the credential issuer and the browser
// sign-in flow built on them. The AWS clients under them come from the function's AWS module (compose/aws-clients.ts,
// loaded at the cold start by compose/broker.ts): a service whose client the function was not built with is a wiring
// mistake, refused as INTERNAL the first time it is asked for.

import { createBrowserSignIn, parseTicket, type BrowserSignIn, type TicketPayload } from '../flows/browser-sign-in.ts';
import { createSessions, parseSessionToken, type Sessions, type SessionToken } from '../flows/cli-session.ts';
import { createCliSignIn, parseAuthorizationCode, parseCliSignInRequest, type AuthorizationCode, type CliSignInRequest, type CliSignInSupport } from '../flows/cli-sign-in.ts';
import { recordKeyFetch, recordStsCall } from '../audit/metrics.ts';
import { reviveIdentity, type VerifiedIdentity } from '../identity/verified-identity.ts';
import type { Sealer } from '../stores/seal.ts';
import { createConsoleFederation } from '../issuance/console.ts';
import { createCredentialIssuer, type CredentialIssuer } from '../issuance/issue.ts';
import type { StsAdapter } from '../issuance/sts.ts';
import { BrokerError } from '../errors.ts';
import type { CliStore } from '../stores/cli-store.ts';
import type { ReplayStore } from '../stores/replay.ts';
import type { AwsClients } from './aws-clients.ts';
import type { Broker } from './broker.ts';
import { createSigningKeys, type SigningKeys } from './signing.ts';

const clientOf = <K extends keyof AwsClients>(broker: Broker, name: K): NonNullable<AwsClients[K]> => {
  const client = broker.options.clients[name];
  if (client === undefined) throw new BrokerError('INTERNAL', `this function was built without ${name} (functions/<fn>/aws.ts)`);
  return client;
};

const dynamoOf = (broker: Broker) =>
  broker.memo('dynamo', () => clientOf(broker, 'dynamoStoresOf')(broker.options.aws, broker.options.replayTable, { onReplay: (kind) => broker.metrics.add('ReplaysDetected', 1, { kind }) }));

/** Counts the IdP key fetches of the OIDC verifiers (createOidcVerifier's onKeyFetch). */
export const keyFetchesOf = (broker: Broker) => (providerId: string, ok: boolean): void => recordKeyFetch(broker.metrics, providerId, ok);

export const replayOf = (broker: Broker): ReplayStore => dynamoOf(broker).replay;

export const cliStoreOf = (broker: Broker): CliStore => dynamoOf(broker).cli;

/** Broker sessions of CLI sign-in, or undefined when the config does not enable it (broker.cli). */
export const sessionsOf = (broker: Broker): Sessions | undefined =>
  broker.config.broker.cli === undefined
    ? undefined
    : broker.memo('sessions', () =>
        createSessions({
          config: broker.config,
          tokens: broker.sealer<SessionToken>({ purpose: 'cli-session', failCode: 'SESSION_INVALID', parse: parseSessionToken }),
          store: cliStoreOf(broker),
          replay: replayOf(broker),
          audit: broker.audit,
        }),
      );

export const stsOf = (broker: Broker): StsAdapter => broker.memo('sts', () => clientOf(broker, 'stsAdapterOf')(broker.options.aws, { observe: (call) => recordStsCall(broker.metrics, call) }));

export const signingKeysOf = (broker: Broker): SigningKeys =>
  broker.memo('signing-keys', () => createSigningKeys({ config: broker.config, kms: () => clientOf(broker, 'kmsSigningKeysOf')(broker.options.aws), signingKeyArn: broker.options.signingKeyArn }));

export const issuerOf = (broker: Broker): CredentialIssuer =>
  broker.memo('issuer', () =>
    createCredentialIssuer({ sts: stsOf(broker), externalIdOf: (roleId) => broker.config.roles[roleId]?.externalId, signWebIdentity: signingKeysOf(broker).signer }),
  );

/** Continuing CLI requests through the SAML and OIDC sign-in flows, when the config enables CLI sign-in. */
export const cliSupportOf = (broker: Broker): CliSignInSupport | undefined =>
  broker.config.broker.cli === undefined
    ? undefined
    : broker.memo('cli-support', () => ({
        requests: cliRequestSealer(broker),
        signIn: createCliSignIn({
          config: broker.config,
          codes: codeSealer(broker),
          deviceIdentities: deviceIdentitySealer(broker),
          store: cliStoreOf(broker),
          audit: broker.audit,
        }),
      }));

export const cliRequestSealer = (broker: Broker): Sealer<CliSignInRequest> =>
  broker.sealer<CliSignInRequest>({ purpose: 'cli-request', failCode: 'FLOW_INVALID', parse: parseCliSignInRequest });
export const codeSealer = (broker: Broker): Sealer<AuthorizationCode> => broker.sealer<AuthorizationCode>({ purpose: 'cli-code', failCode: 'INVALID_GRANT', parse: parseAuthorizationCode });
export const deviceIdentitySealer = (broker: Broker): Sealer<VerifiedIdentity> => broker.sealer<VerifiedIdentity>({ purpose: 'cli-device-identity', failCode: 'INVALID_GRANT', parse: reviveIdentity });

export const browserSignInOf = (broker: Broker): BrowserSignIn =>
  broker.memo('browser-sign-in', () =>
    createBrowserSignIn({
      config: broker.config,
      tickets: broker.sealer<TicketPayload>({ purpose: 'ticket', failCode: 'TICKET_INVALID', parse: parseTicket }),
      replay: replayOf(broker),
      issue: issuerOf(broker),
      federation: broker.options.federation ?? createConsoleFederation(broker.config.broker.signinUrl),
      audit: broker.audit,
    }),
  );
