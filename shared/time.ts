// Times as the broker writes them for clients and logs.

/** RFC 3339 in UTC without fractions (`2026-11-22T13:00:00Z`), as credential_process consumers and audit readers expect. */
export const rfc3339 = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
