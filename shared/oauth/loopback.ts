// Redirect URIs of a native client (RFC 8252 §7.3): the loopback IP literal, any port, chosen at request time. Only
// `http://127.0.0.1:<port>/<path>` and `http://[::1]:<port>/<path>` are accepted — not `localhost` (DNS and firewall
// surprises, RFC 8252 §8.3), not https elsewhere, no user info, query or fragment, and only in their canonical
// spelling (the URL parser would turn `http://127.1:80/` or `http://0x7f.0.0.1/` into 127.0.0.1).

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]):([1-9][0-9]{0,4})(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;
const MAX_LENGTH = 512;

/** The redirect URI as given when it is a loopback URI of the CLI, else undefined. */
export const loopbackRedirectUri = (value: string | undefined): string | undefined => {
  if (value === undefined || value.length > MAX_LENGTH) return undefined;
  const match = LOOPBACK.exec(value);
  if (!match || Number(match[2]) > 65_535) return undefined;
  const url = URL.parse(value);
  // Belt and braces: what the browser will resolve must be the same loopback host and port.
  if (!url || url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') || url.username || url.password) return undefined;
  return value;
};

/** The loopback URI with the authorization response parameters added (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export const withResponseParams = (redirectUri: string, params: Readonly<Record<string, string | undefined>>): string => {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
};
