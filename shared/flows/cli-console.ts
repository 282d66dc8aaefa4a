// POST /cli/console: a broker session and a role → an AWS console sign-in URL, for `fbroker console`. The rules run
// again on the session's claims, the credentials never outlive the session, and one audit record tells the outcome.

import { auditRecord, grantFields, type AuditFacts, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { DEFAULT_DESTINATION, type ConsoleFederation } from '../issuance/console.ts';
import type { CredentialIssuer } from '../issuance/issue.ts';
import type { RequestContext } from '../request.ts';
import { checkIntent } from './browser-sign-in.ts';
import type { Sessions } from './cli-session.ts';
import { decideFor } from './decide.ts';

export interface ConsoleParams {
  readonly session?: string | undefined;
  readonly role?: string | undefined;
  readonly destination?: string | undefined;
}

export interface CliConsoleDeps {
  readonly config: BrokerConfig;
  readonly endpoint: string;
  readonly sessions: Sessions;
  readonly issue: CredentialIssuer;
  readonly federation: ConsoleFederation;
  readonly audit: AuditSink;
}

export const createCliConsole = (deps: CliConsoleDeps) => async (params: ConsoleParams, proof: string | undefined, ctx: RequestContext, now: Date): Promise<{ readonly url: string }> => {
  const facts: { -readonly [K in keyof AuditFacts]: AuditFacts[K] } = {};
  let audited = false;
  try {
    if (!params.session) throw new BrokerError('SESSION_INVALID', 'no session');
    // A role id and an AWS console destination only (open-redirect defence), as for the browser's console.
    const intent = checkIntent({ role: params.role, target: 'console', destination: params.destination });
    if (intent.role === undefined) throw new BrokerError('ROLE_REQUIRED', 'no role', { publicDetail: 'Name a role.' });
    const seen: { sessionId?: string } = {};
    try {
      facts.identity = await deps.sessions.open({ token: params.session, proof, method: 'POST', url: deps.endpoint }, now, seen);
    } finally {
      facts.sessionId = seen.sessionId;
    }
    const decision = (facts.decision = decideFor(deps.config, { identity: facts.identity, ctx, now, role: { id: intent.role } }));
    if (decision.outcome === 'deny') throw new BrokerError(decision.code, decision.detail);
    const [role] = decision.roles;
    if (!role) throw new BrokerError('ROLE_NOT_GRANTED', 'the role is not granted');
    const credentials = await deps.issue(role, facts.identity, now);
    deps.audit({ ...auditRecord('/cli/console', ctx, now, facts), ...grantFields(role, credentials) });
    audited = true;
    const url = await deps.federation.loginUrl(credentials, {
      issuer: deps.config.broker.baseUrl,
      destination: intent.destination ?? DEFAULT_DESTINATION,
      // Role-chained (assume-role) credentials may not ask for a console session duration.
      sessionDurationSeconds: role.issuance === 'web-identity' ? role.session.durationSeconds : undefined,
    });
    return { url };
  } catch (error) {
    // Issued credentials have their record; a failure after that (the federation endpoint) is in the logs.
    if (audited) throw error;
    const code = error instanceof BrokerError ? error.code : 'INTERNAL';
    deps.audit({ ...auditRecord('/cli/console', ctx, now, facts), decision: error instanceof BrokerError && error.status < 500 ? 'deny' : 'error', code });
    throw error;
  }
};
