// How the outcome of a browser sign-in is shown: the role picker (and the browser-binding cookie its ticket is
// bound to), the CLI credentials page, or the redirect to the AWS console. Shared by the SAML, OIDC and
// POST /session routes.

import type { Delivery, SignInOutcome } from '../../flows/browser-sign-in.ts';
import { TICKET_SECONDS } from '../../flows/browser-sign-in.ts';
import { clearCookie, readCookie, setCookie } from '../cookies.ts';
import type { HttpEvent } from '../handler.ts';
import { credentialsPage, pickerPage } from '../pages.ts';
import { redirect, type HttpResult } from '../responses.ts';

/** The cookie that binds a role-picker ticket to the browser it was shown in. */
export const BROWSER_COOKIE = 'fb_bid';

export interface BrowserSettings {
  /** https deployment: Secure cookies with the __Host- prefix. */
  readonly secure: boolean;
  /** The AWS federation endpoint's origin: the picker's form ends there after redirects (CSP form-action). */
  readonly signinOrigin: string;
}

export const browserSettingsOf = (config: { readonly broker: { readonly baseUrl: string; readonly signinUrl: string } }): BrowserSettings => ({
  secure: config.broker.baseUrl.startsWith('https:'),
  signinOrigin: new URL(config.broker.signinUrl).origin,
});

export const browserIdOf = (event: HttpEvent, settings: BrowserSettings): string | undefined => readCookie(event, BROWSER_COOKIE, settings.secure);

/** Credentials delivered: the console redirect or the CLI credentials page, with whatever cookies the route sets. */
export const renderDelivery = (delivery: Delivery, cookies: string[]): HttpResult =>
  delivery.kind === 'credentials'
    ? credentialsPage({ credentials: delivery.credentials, role: delivery.role, profile: delivery.role.id }, { cookies })
    : redirect(delivery.url, {}, cookies);

/** A sign-in's outcome: the picker (binding cookie re-set so it lives as long as the newest ticket), or a delivery. */
export const renderSignIn = (outcome: SignInOutcome, settings: BrowserSettings, cookies: string[] = []): HttpResult => {
  if (outcome.kind === 'delivered') return renderDelivery(outcome.delivery, cookies);
  const binding = setCookie(BROWSER_COOKIE, outcome.browserId, { secure: settings.secure, sameSite: 'Strict', maxAgeSeconds: TICKET_SECONDS });
  return pickerPage(outcome.picker, { cookies: [binding, ...cookies], formTargets: [settings.signinOrigin] });
};

export const clearBrowserCookie = (settings: BrowserSettings): string => clearCookie(BROWSER_COOKIE, settings.secure);
