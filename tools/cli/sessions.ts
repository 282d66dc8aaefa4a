// `broker sessions list|revoke --subject S [--provider P] [--table T] [--json]` (docs/operations.md): the broker
// sessions of CLI sign-in recorded for one subject, read through the table's SessionsBySubject index, and their
// revocation — each revoked session writes one audit record (JSON, on stderr, so that `--json` output stays one
// document). The table is the deployed stack's ReplayTableName output (--table), else REPLAY_TABLE, else the local
// stack's; the DynamoDB endpoint, region and credentials come from the usual AWS environment
// (AWS_ENDPOINT_URL_DYNAMODB for the local stack).

import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '../../shared/audit/audit.ts';
import type { SessionRecord } from '../../shared/stores/cli-store.ts';
import { createDynamoCliStore } from '../../shared/stores/dynamo-cli-store.ts';

/** The local stack's table (npm start); a deployed stack names its own (output ReplayTableName). */
export const DEFAULT_TABLE = 'federation-broker-replay';

export interface SessionsIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly now: () => Date;
}

export class SessionsUsageError extends Error {}

type Status = 'active' | 'expired' | 'revoked';
const statusOf = (s: SessionRecord, now: Date): Status => (s.revoked ? 'revoked' : s.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active');

const view = (s: SessionRecord, now: Date) => ({ id: s.id, provider: s.provider, subject: s.subject, createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString(), status: statusOf(s, now) });

const table = (rows: ReadonlyArray<ReturnType<typeof view>>): string => {
  const header = ['SESSION', 'PROVIDER', 'STATUS', 'CREATED', 'EXPIRES'];
  const cells = [header, ...rows.map((r) => [r.id, r.provider, r.status, r.createdAt, r.expiresAt])];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
};

export const sessionsCommand = async (args: string[], io: SessionsIo): Promise<number> => {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'revoke') throw new SessionsUsageError('sessions needs list or revoke');
  const { values } = parseArgs({
    args: rest,
    options: { subject: { type: 'string' }, provider: { type: 'string' }, table: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.subject) throw new SessionsUsageError(`sessions ${action} needs --subject S (the subject as the audit records name it)`);
  const tableName = values.table ?? io.env.REPLAY_TABLE ?? DEFAULT_TABLE;
  const client = new DynamoDBClient({ region: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1', maxAttempts: 3 });
  try {
    const store = createDynamoCliStore(client, tableName);
    const now = io.now();
    const sessions = (await store.sessionsOf(values.subject, values.provider)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    if (action === 'list') {
      const rows = sessions.map((s) => view(s, now));
      if (values.json) io.out(JSON.stringify({ subject: values.subject, provider: values.provider ?? null, table: tableName, sessions: rows }));
      else io.out(rows.length === 0 ? `No recorded sessions for ${values.subject} in ${tableName}.` : table(rows));
      return 0;
    }
    // Revoked ones stay revoked; expired ones are revoked too, so that no clock skew can bring one back.
    const revoked: SessionRecord[] = [];
    for (const s of sessions.filter((x) => !x.revoked)) {
      if (await store.revokeSession(s.id)) {
        revoked.push(s);
        io.err(JSON.stringify({ message: 'audit', audit: operatorAudit(s, io) }));
      }
    }
    if (values.json) io.out(JSON.stringify({ subject: values.subject, provider: values.provider ?? null, table: tableName, revoked: revoked.map((s) => s.id) }));
    else io.out(`Revoked ${revoked.length} session(s) of ${values.subject}${values.provider ? ` (${values.provider})` : ''}; ${sessions.length - revoked.length} already revoked.`);
    return 0;
  } finally {
    client.destroy();
  }
};

/** The audit record of a revocation by an operator: as the broker writes one for POST /cli/revoke, plus who ran it. */
const operatorAudit = (s: SessionRecord, io: SessionsIo): AuditRecord & { readonly operator: string } => ({
  time: io.now().toISOString(),
  requestId: `operator-${randomUUID()}`,
  route: 'broker sessions revoke',
  provider: s.provider,
  subject: s.subject,
  decision: 'grant',
  code: 'SESSION_REVOKED',
  ruleIds: [],
  sessionId: s.id,
  operator: io.env.USER ?? safeUser(),
});

const safeUser = (): string => {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
};
