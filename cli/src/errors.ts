// The one error type of fbroker: a stable code (ours, or the broker's own code passed through), a message for a
// person, and the broker's request id when the broker refused. Exit status: 2 for usage, 1 for anything else.

/** Codes fbroker itself raises; a broker refusal keeps the broker's code (SESSION_REVOKED, NO_ROLE_GRANTED, …). */
export type CliCode =
  | 'USAGE'
  | 'NOT_SIGNED_IN'
  | 'CACHE_INSECURE'
  | 'CACHE_UNUSABLE'
  | 'INSECURE_BROKER_URL'
  | 'BROKER_UNREACHABLE'
  | 'BROKER_BAD_RESPONSE'
  | 'ISSUER_MISMATCH'
  | 'CLI_SIGN_IN_UNAVAILABLE'
  | 'LOGIN_REFUSED'
  | 'LOGIN_TIMEOUT'
  | 'INTERRUPTED'
  | 'PORT_IN_USE'
  | 'CREDENTIALS_EXPIRED'
  | 'LOCK_TIMEOUT'
  | 'COMMAND_NOT_FOUND'
  | 'BROWSER_FAILED'
  | 'INTERNAL';

export interface CliErrorDetails {
  /** The broker's request id, when the broker answered. */
  readonly requestId?: string;
  /** The HTTP status of the broker's answer. */
  readonly status?: number;
  readonly cause?: unknown;
}

export class CliError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly status: number | undefined;
  constructor(code: CliCode | (string & {}), message: string, details: CliErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CliError';
    this.code = code;
    this.requestId = details.requestId;
    this.status = details.status;
  }

  get exitCode(): number {
    return this.code === 'USAGE' ? 2 : 1;
  }
}

export const usageError = (message: string): CliError => new CliError('USAGE', message);

// A broker (or a file) could put terminal escape sequences into text we print: keep printable characters only.
// eslint-disable-next-line no-control-regex
export const printable = (text: string, max = 300): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, max);

/** The line written to stderr for an error: code first (what scripts and people search for), then the request id. */
export const renderError = (error: CliError): string =>
  `fbroker: ${error.code}: ${error.message}${error.requestId === undefined ? '' : ` (request_id ${printable(error.requestId, 100)})`}`;
