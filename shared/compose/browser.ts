// Composition of the browser flows (SAML ACS, OIDC callback, POST /session): sealing key, replay store, issuer,
// console federation, built once per cold start.

import { logAudit } from '../audit/audit.ts';
import { loadConfig, type BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { createBrowserSession } from '../flows/browser-session.ts';
import { createConsoleFederation } from '../issuance/console.ts';
import { createCredentialIssuer } from '../issuance/issue.ts';
import { createSealer, type Sealer } from '../stores/seal.ts';
import { replayStore } from './clients.ts';
import { webIdentitySigner } from './signing.ts';
import { stsAdapter } from './sts.ts';

export const sealerFor = (config: BrokerConfig): Sealer => {
  const ref = config.broker.sealingSecret;
  const secret = ref === undefined ? undefined : config.secrets.get(ref);
  if (secret === undefined) throw new BrokerError('CONFIG_INVALID', 'browser sign-in needs broker.sealingSecret (env:NAME or ssm:/path, at least 32 bytes)');
  return createSealer(secret);
};

export const composeBrowserSession = async () => {
  const config = await loadConfig();
  return createBrowserSession({
    config,
    sealer: sealerFor(config),
    replay: replayStore(),
    issue: createCredentialIssuer(config, stsAdapter(), webIdentitySigner(config)),
    federation: createConsoleFederation(config.broker.signinUrl),
    audit: logAudit,
  });
};
