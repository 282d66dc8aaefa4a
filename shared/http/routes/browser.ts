// How the outcome of a browser sign-in is shown: the role picker (and the browser-binding cookie its ticket is
// bound to), the CLI credentials page, or the redirect to the AWS console. Shared by the SAML, OIDC and
// POST /session routes.

import type { Delivery, SignInOutcome } from '../../flows/browser-sign-in.ts';
import type { CliSignInOutcome } from '../../flows/cli-sign-in.ts';
import { deviceApprovedPage, deviceDeniedPage } from '../cli-pages.ts';
import { TICKET_SECONDS } from '../../flows/browser-sign-in.ts';
import { clearCookie, readCookie, setCookie } from '../cookies.ts';
import type { HttpEvent } from '../handler.ts';
import { credentialsPage, FILTER_FROM, pickerPage } from '../pages.ts';
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

/** A sign-in's outcome: the picker (binding cookie re-set so it lives as long as the newest ticket), a delivery, or the end of a CLI sign-in. */
export const renderSignIn = (outcome: SignInOutcome | CliSignInOutcome, settings: BrowserSettings, cookies: string[] = []): HttpResult => {
  switch (outcome.kind) {
    case 'delivered':
      return renderDelivery(outcome.delivery, cookies);
    case 'cli-redirect':
      // Back to the CLI's loopback listener, with the code (or the error), state and iss.
      return redirect(outcome.url, {}, cookies);
    case 'cli-device-approved':
      return withCookies(deviceApprovedPage(outcome.userCode), cookies);
    case 'cli-device-denied':
      return withCookies(deviceDeniedPage(outcome.userCode, 'refused'), cookies);
    case 'picker':
      break;
  }
  const binding = setCookie(BROWSER_COOKIE, outcome.browserId, { secure: settings.secure, sameSite: 'Strict', maxAgeSeconds: TICKET_SECONDS });
  // A picker long enough to have a filter: the ticket also travels in a cookie, so that GET /session?q=… can
  // re-render it filtered without JavaScript. It is the value the page already holds: still sealed, bound to this browser and single-use.
  const pick = outcome.picker.roles.length > FILTER_FROM ? pickerCookie(outcome.picker.ticket, settings) : undefined;
  return pickerPage({ ...outcome.picker, serverFilter: pick !== undefined }, { cookies: [binding, ...(pick ? [pick] : []), ...cookies], formTargets: [settings.signinOrigin] });
};

/** The cookie that carries the picker's ticket to GET /session (the no-JavaScript filter). */
export const PICKER_COOKIE = 'fb_pick';
/** A larger ticket does not fit a cookie (4096 bytes with its name and attributes): that picker filters with JavaScript only. */
export const MAX_PICKER_COOKIE_TICKET = 3800;

const pickerCookie = (ticket: string, settings: BrowserSettings): string | undefined =>
  ticket.length <= MAX_PICKER_COOKIE_TICKET ? setCookie(PICKER_COOKIE, ticket, { secure: settings.secure, sameSite: 'Strict', maxAgeSeconds: TICKET_SECONDS }) : undefined;

const withCookies = (result: HttpResult, cookies: string[]): HttpResult => (cookies.length === 0 ? result : { ...result, cookies: [...(result.cookies ?? []), ...cookies] });

/** The cookie that carries a CLI sign-in request (sealed) from /cli/authorize or /cli/device/confirm to the provider's login. */
export const CLI_REQUEST_COOKIE = 'fb_cli';
export const CLI_REQUEST_SECONDS = 600;

/** The CLI request cookie is spent by the login that continues it. */
export const cliCleared = (query: ReadonlyMap<string, string>, settings: BrowserSettings): string[] => (query.has('cli') ? [clearCookie(CLI_REQUEST_COOKIE, settings.secure)] : []);

export const clearBrowserCookie = (settings: BrowserSettings): string => clearCookie(BROWSER_COOKIE, settings.secure);
export const clearPickerCookie = (settings: BrowserSettings): string => clearCookie(PICKER_COOKIE, settings.secure);
