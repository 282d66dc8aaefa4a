// The broker's resource endpoints that use a session (POST /token, /roles, /cli/console): a form body, a DPoP
// proof by the session's key with `ath`, JSON back. Errors become CliError with the broker's code and request id.

import { endpoint, type Broker } from './broker-url.ts';
import { isAwsCredentials, type AwsCredentials } from './cache.ts';
import { dpopProof, type DpopKey } from './dpop-key.ts';
import { CliError, printable } from './errors.ts';

export const SESSION_TOKEN_TYPE = 'urn:federation-broker:token-type:session';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const TIMEOUT_MS = 30_000;
const MAX_BODY = 1024 * 1024;

/** The codes with which the broker refuses a session: the cached session is dropped and, if allowed, renewed. */
export const SESSION_REFUSALS: ReadonlySet<string> = new Set(['SESSION_REVOKED', 'SESSION_EXPIRED', 'SESSION_INVALID', 'DPOP_INVALID']);

export interface UsableSession {
  readonly id: string;
  readonly accessToken: string;
  readonly key: DpopKey;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A refusal in the broker's RFC 6749 shape → CliError naming its `code` and `request_id`. */
export const brokerRefusal = (status: number, body: unknown, headers: Headers): CliError => {
  const b = isObject(body) ? body : {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? printable(v) : undefined);
  const code = str(b.code) ?? (str(b.error) ?? `HTTP_${status}`).toUpperCase();
  const description = str(b.error_description) ?? str(b.error) ?? `HTTP ${status}`;
  const requestId = str(b.request_id) ?? str(headers.get('apigw-requestid') ?? undefined);
  return new CliError(code, `the broker refused: ${description}`, { status, ...(requestId === undefined ? {} : { requestId }) });
};

export const unreachable = (broker: Broker, error: unknown): CliError => {
  const cause = error instanceof Error ? ((error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.name) : 'error';
  return new CliError('BROKER_UNREACHABLE', `cannot reach the broker at ${broker.url} (${printable(String(cause), 80)})`, { cause: error });
};

const readJson = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text.length > MAX_BODY) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** POST a form with a session proof; the parsed JSON of a 200, or a CliError. */
const postWithSession = async (broker: Broker, path: string, session: UsableSession, form: Record<string, string>): Promise<unknown> => {
  const url = endpoint(broker, path);
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', dpop: await dpopProof(session.key, 'POST', url, session.accessToken) };
  let response: Response;
  try {
    // Never follow a redirect: the body carries the session token.
    response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(form), redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw unreachable(broker, error);
  }
  const body = await readJson(response);
  if (response.status !== 200) throw brokerRefusal(response.status, body, response.headers);
  if (body === undefined) throw new CliError('BROKER_BAD_RESPONSE', `the broker's answer to POST ${path} is not JSON (HTTP ${response.status})`);
  return body;
};

/** `--role`: an ARN goes in `resource`, a role id in `audience` (as POST /token takes them). */
const roleParameter = (role: string): Record<string, string> => (role.startsWith('arn:') ? { resource: role } : { audience: role });

export const exchangeSession = async (broker: Broker, session: UsableSession, role: string, duration: number | undefined): Promise<AwsCredentials> => {
  const body = await postWithSession(broker, '/token', session, {
    grant_type: TOKEN_EXCHANGE,
    subject_token: session.accessToken,
    subject_token_type: SESSION_TOKEN_TYPE,
    ...roleParameter(role),
    ...(duration === undefined ? {} : { duration_seconds: String(duration) }),
  });
  if (!isObject(body) || body.Version !== 1 || !isAwsCredentials(body)) throw new CliError('BROKER_BAD_RESPONSE', 'the broker answered POST /token without valid credentials');
  return { AccessKeyId: body.AccessKeyId, SecretAccessKey: body.SecretAccessKey, SessionToken: body.SessionToken, Expiration: new Date(Date.parse(body.Expiration)).toISOString() };
};

export interface RoleEntry {
  readonly id: string;
  readonly arn: string;
  readonly label?: string;
  readonly maxSessionSeconds?: number;
  readonly account?: { readonly id?: string; readonly name?: string; readonly label?: string };
}

export const listRoles = async (broker: Broker, session: UsableSession): Promise<RoleEntry[]> => {
  const body = await postWithSession(broker, '/roles', session, { subject_token: session.accessToken, subject_token_type: SESSION_TOKEN_TYPE });
  if (!isObject(body) || !Array.isArray(body.roles) || !body.roles.every((r) => isObject(r) && typeof r.id === 'string' && typeof r.arn === 'string')) {
    throw new CliError('BROKER_BAD_RESPONSE', 'the broker answered POST /roles without a list of roles');
  }
  return body.roles as RoleEntry[];
};

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export const consoleUrl = async (broker: Broker, session: UsableSession, role: string, destination: string | undefined): Promise<string> => {
  const body = await postWithSession(broker, '/cli/console', session, { session: session.accessToken, role, ...(destination === undefined ? {} : { destination }) });
  const raw = isObject(body) ? body.url : undefined;
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  // The URL goes to a browser command line: https only (http for a local broker's emulator), nothing else.
  if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
    throw new CliError('BROKER_BAD_RESPONSE', 'the broker answered POST /cli/console without an https URL');
  }
  return url.href;
};

