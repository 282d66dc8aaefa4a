// The one error type of the broker: a closed list of stable codes, and the one table from code to HTTP status.
// Clients see the code, a short description and the request id; the message and the cause go to logs only.

export const ERROR_TABLE = {
  // request shape
  INVALID_REQUEST: { status: 400, error: 'invalid_request', description: 'The request is malformed.' },
  UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type', description: 'Only token exchange is supported.' },
  UNSUPPORTED_TOKEN_TYPE: { status: 400, error: 'invalid_request', description: 'The subject_token_type is not supported.' },
  PAYLOAD_TOO_LARGE: { status: 413, error: 'invalid_request', description: 'The request is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, error: 'invalid_request', description: 'Send application/x-www-form-urlencoded or application/json.' },
  NOT_FOUND: { status: 404, error: 'invalid_request', description: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, error: 'invalid_request', description: 'Method not allowed on this route.' },
  NOT_IMPLEMENTED: { status: 501, error: 'invalid_request', description: 'This route is not implemented yet.' },
  UNKNOWN_PROVIDER: { status: 400, error: 'invalid_request', description: 'No configured provider accepts this identity.' },
  // identity proof
  TOKEN_INVALID: { status: 400, error: 'invalid_request', description: 'The subject token is invalid.' },
  TOKEN_EXPIRED: { status: 400, error: 'invalid_request', description: 'The subject token has expired.' },
  TOKEN_NOT_YET_VALID: { status: 400, error: 'invalid_request', description: 'The subject token is not valid yet.' },
  TOKEN_TOO_OLD: { status: 400, error: 'invalid_request', description: 'The subject token was issued too long ago.' },
  ISSUER_MISMATCH: { status: 400, error: 'invalid_request', description: 'The token issuer is not accepted.' },
  AUDIENCE_MISMATCH: { status: 400, error: 'invalid_request', description: 'The token audience is not accepted.' },
  SIGNATURE_INVALID: { status: 400, error: 'invalid_request', description: 'The signature does not verify.' },
  ALGORITHM_NOT_ALLOWED: { status: 400, error: 'invalid_request', description: 'The signature algorithm is not allowed.' },
  UNKNOWN_KEY: { status: 400, error: 'invalid_request', description: 'The signing key is not known for this issuer.' },
  REPLAY_DETECTED: { status: 400, error: 'invalid_request', description: 'This identity proof was already used.' },
  SAML_INVALID: { status: 400, error: 'invalid_request', description: 'The SAML response is invalid.' },
  SAML_STATUS_NOT_SUCCESS: { status: 400, error: 'invalid_request', description: 'The identity provider did not report success.' },
  DESTINATION_MISMATCH: { status: 400, error: 'invalid_request', description: 'The SAML response is addressed to another service.' },
  RECIPIENT_MISMATCH: { status: 400, error: 'invalid_request', description: 'The SAML assertion is addressed to another service.' },
  IN_RESPONSE_TO_MISMATCH: { status: 400, error: 'invalid_request', description: 'The SAML response does not answer a request of this browser.' },
  UNSOLICITED_RESPONSE: { status: 400, error: 'invalid_request', description: 'Unsolicited SAML responses are not accepted from this provider.' },
  FLOW_INVALID: { status: 400, error: 'invalid_request', description: 'The sign-in flow is invalid or has expired; start again.' },
  TICKET_INVALID: { status: 400, error: 'invalid_request', description: 'The role-picker ticket is invalid, used or expired; sign in again.' },
  DESTINATION_NOT_ALLOWED: { status: 400, error: 'invalid_request', description: 'The return destination is not allowed.' },
  // CLI sign-in: broker sessions, DPoP, the authorization and device grants (docs/cli.md)
  DPOP_INVALID: { status: 400, error: 'invalid_request', cliError: 'invalid_dpop_proof', description: 'The DPoP proof is missing or invalid.' },
  SESSION_INVALID: { status: 400, error: 'invalid_request', description: 'The broker session is invalid; sign in again.' },
  SESSION_EXPIRED: { status: 400, error: 'invalid_request', description: 'The broker session has expired; sign in again.' },
  SESSION_REVOKED: { status: 400, error: 'invalid_request', description: 'The broker session was revoked; sign in again.' },
  INVALID_CLIENT: { status: 400, error: 'invalid_client', description: 'Unknown client: the CLI client_id is fbroker.' },
  INVALID_GRANT: { status: 400, error: 'invalid_grant', description: 'The authorization code or device code is invalid, used or expired.' },
  AUTHORIZATION_PENDING: { status: 400, error: 'authorization_pending', description: 'The sign-in has not been completed yet.' },
  SLOW_DOWN: { status: 400, error: 'slow_down', description: 'Polling too fast: wait longer between requests.' },
  ACCESS_DENIED: { status: 400, error: 'access_denied', description: 'The sign-in was refused.', pageStatus: 403 },
  EXPIRED_TOKEN: { status: 400, error: 'expired_token', description: 'The device code has expired; start again.' },
  REDIRECT_URI_INVALID: { status: 400, error: 'invalid_request', description: 'The redirect URI is not a loopback URI of this client; nothing was sent to it.' },
  USER_CODE_INVALID: { status: 400, error: 'invalid_request', description: 'This code is unknown, used or expired; check it and try again.' },
  TOO_MANY_ATTEMPTS: { status: 429, error: 'slow_down', description: 'Too many wrong codes from this address; wait a minute.' },
  IDENTITY_TOO_LARGE: { status: 400, error: 'invalid_request', description: 'The identity carries too many claim values to continue browser sign-in; ask your administrator.' },
  // decision
  NO_ROLE_GRANTED: { status: 400, error: 'invalid_target', description: 'No role is granted to this identity.', pageStatus: 403 },
  ROLE_NOT_GRANTED: { status: 400, error: 'invalid_target', description: 'The requested role is not granted to this identity.', pageStatus: 403 },
  DENIED_BY_RULE: { status: 400, error: 'invalid_target', description: 'A deny rule refuses this identity.', pageStatus: 403 },
  CLAIM_UNREADABLE: { status: 400, error: 'invalid_request', description: 'A claim the rules use holds a value the broker cannot read (a nested list or an object).', pageStatus: 403 },
  ROLE_REQUIRED: { status: 400, error: 'invalid_target', description: 'Several roles are granted: name one with resource or audience.' },
  MISSING_CLAIM: { status: 400, error: 'invalid_target', description: 'A claim needed for the session is missing.', pageStatus: 403 },
  MULTI_VALUED_CLAIM: { status: 400, error: 'invalid_target', description: 'A claim used as session name or source identity has several values.', pageStatus: 403 },
  SESSION_NAME_INVALID: { status: 400, error: 'invalid_target', description: 'The session name cannot be made valid for STS.', pageStatus: 403 },
  SOURCE_IDENTITY_INVALID: { status: 400, error: 'invalid_target', description: 'The source identity cannot be made valid for STS.', pageStatus: 403 },
  SESSION_TOO_SHORT: { status: 400, error: 'invalid_request', description: 'The session would be shorter than 900 seconds.' },
  // dependencies
  STS_REJECTED: { status: 400, error: 'invalid_target', description: 'AWS STS refused to issue credentials for this role.', pageStatus: 403 },
  STS_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable', description: 'AWS STS cannot be reached; retry later.' },
  IDP_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable', description: "The identity provider's keys cannot be fetched; retry later." },
  REPLAY_STORE_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable', description: 'The replay store cannot be reached; retry later.' },
  SIGNING_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable', description: 'The broker signing key cannot be used; retry later.' },
  CONFIG_INVALID: { status: 500, error: 'server_error', description: 'The broker configuration is invalid.' },
  INTERNAL: { status: 500, error: 'server_error', description: 'Internal error.' },
} as const satisfies Record<string, { status: number; error: string; description: string; pageStatus?: number; cliError?: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export const isErrorCode = (value: string): value is ErrorCode => Object.hasOwn(ERROR_TABLE, value);

// A function may load part of its code from a second bundle (functions/token/saml2.ts), which carries its own copy
// of this module: errors are recognised by a registered brand, not by class identity, so that a copy's
// BrokerError is still a BrokerError (its code and status), never an unexpected 500.
const BRAND = Symbol.for('federation-broker.BrokerError');

export class BrokerError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true && isErrorCode(String((value as { code?: unknown }).code));
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  /** Detail safe to show to the client (never a token, claim value or secret). */
  readonly publicDetail: string | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; publicDetail?: string }) {
    super(message ?? ERROR_TABLE[code].description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.code = code;
    this.publicDetail = options?.publicDetail;
  }

  get status(): number {
    return ERROR_TABLE[this.code].status;
  }
}

export const fail = (code: ErrorCode, message?: string, options?: { cause?: unknown; publicDetail?: string }): never => {
  throw new BrokerError(code, message, options);
};

/** Retry-After (seconds) sent with every 503. */
export const RETRY_AFTER_SECONDS = 5;
