// Cookies of the browser flows: HttpOnly always, Secure and the __Host- prefix on https, SameSite per purpose.

import type { HttpEvent } from './handler.ts';

export interface CookieOptions {
  readonly secure: boolean;
  readonly maxAgeSeconds: number;
  /** Lax for top-level GET returns (OIDC callback), None for cross-site POSTs (SAML ACS, https only), Strict otherwise. */
  readonly sameSite: 'Strict' | 'Lax' | 'None';
}

export const cookieName = (base: string, secure: boolean): string => (secure ? `__Host-${base}` : base);

export const setCookie = (base: string, value: string, options: CookieOptions): string => {
  // SameSite=None needs Secure; on plain http (local development) Lax is the closest that browsers accept.
  const sameSite = options.sameSite === 'None' && !options.secure ? 'Lax' : options.sameSite;
  return [`${cookieName(base, options.secure)}=${value}`, 'Path=/', `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', `SameSite=${sameSite}`, ...(options.secure ? ['Secure'] : [])].join('; ');
};

export const clearCookie = (base: string, secure: boolean): string =>
  [`${cookieName(base, secure)}=`, 'Path=/', 'Max-Age=0', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');

/** The value of one cookie; a name sent twice (cookie tossing) counts as absent. */
export const readCookie = (event: HttpEvent, base: string, secure: boolean): string | undefined => {
  const name = cookieName(base, secure);
  const values = (event.cookies ?? [])
    .flatMap((c) => c.split(';'))
    .map((c) => c.trim())
    .filter((c) => c.startsWith(`${name}=`))
    .map((c) => c.slice(name.length + 1));
  return values.length === 1 ? values[0] : undefined;
};
