// The services of a composed broker that talk to AWS or issue credentials, each built once per broker on first use:
// the replay store (DynamoDB), the STS adapter, the signing keys (PEM or KMS), the credential issuer and the browser
// sign-in flow built on them. Kept apart from compose/broker.ts so that functions which use none of them (the
// landing page) carry none of these clients.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { STSClient } from '@aws-sdk/client-sts';
import { createBrowserSignIn, parseTicket, type BrowserSignIn, type TicketPayload } from '../flows/browser-sign-in.ts';
import { createConsoleFederation } from '../issuance/console.ts';
import { createCredentialIssuer, type CredentialIssuer } from '../issuance/issue.ts';
import { createStsAdapter, type StsAdapter } from '../issuance/sts.ts';
import { createDynamoReplayStore } from '../stores/dynamo-replay.ts';
import type { ReplayStore } from '../stores/replay.ts';
import { clientConfig } from './aws.ts';
import type { Broker } from './broker.ts';
import { createSigningKeys, type SigningKeys } from './signing.ts';

export const replayOf = (broker: Broker): ReplayStore =>
  broker.memo('replay', () => createDynamoReplayStore(new DynamoDBClient(clientConfig(broker.options.aws, 2)), broker.options.replayTable));

/** One attempt per SDK call: the adapter's own bounded retry loop decides what to retry. */
export const stsOf = (broker: Broker): StsAdapter => broker.memo('sts', () => createStsAdapter(new STSClient(clientConfig(broker.options.aws, 1))));

export const signingKeysOf = (broker: Broker): SigningKeys =>
  broker.memo('signing-keys', () => {
    let kms: KMSClient | undefined;
    return createSigningKeys({ config: broker.config, kms: () => (kms ??= new KMSClient(clientConfig(broker.options.aws, 2))), signingKeyArn: broker.options.signingKeyArn });
  });

export const issuerOf = (broker: Broker): CredentialIssuer =>
  broker.memo('issuer', () =>
    createCredentialIssuer({ sts: stsOf(broker), externalIdOf: (roleId) => broker.config.roles[roleId]?.externalId, signWebIdentity: signingKeysOf(broker).signer }),
  );

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
