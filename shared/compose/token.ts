// Composition of the token and roles functions: config, adapters and flows, built once per cold start.

import { logAudit } from '../audit/audit.ts';
import { loadConfig } from '../config/index.ts';
import { createTokenExchange, createRoleListing } from '../flows/token-exchange.ts';
import { createCredentialIssuer } from '../issuance/issue.ts';
import { replayStore } from './clients.ts';
import { webIdentitySigner } from './signing.ts';
import { stsAdapter } from './sts.ts';
import { createSubjectVerifier, type SamlSubjectLoader } from './subject.ts';

export const composeTokenExchange = async (loadSaml: SamlSubjectLoader) => {
  const config = await loadConfig();
  const verify = createSubjectVerifier(config, replayStore(), loadSaml);
  return createTokenExchange({ config, verify, issue: createCredentialIssuer(config, stsAdapter(), webIdentitySigner(config)), audit: logAudit });
};

export const composeRoleListing = async (loadSaml: SamlSubjectLoader) => {
  const config = await loadConfig();
  return createRoleListing({ config, verify: createSubjectVerifier(config, replayStore(), loadSaml), audit: logAudit });
};
