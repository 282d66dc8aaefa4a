// POST /session: the role picker's form → the console sign-in redirect or the CLI credentials page.
// GET /session?q=…: the role picker again, filtered, for browsers without JavaScript (docs/accounts.md).

import type { BrowserSignIn } from '../../flows/browser-sign-in.ts';
import { readCookie } from '../cookies.ts';
import { bodyParams, queryParams, requestContextOf } from '../decode.ts';
import { MAX_QUERY, pickerPage } from '../pages.ts';
import { browserIdOf, clearBrowserCookie, clearPickerCookie, PICKER_COOKIE, renderDelivery, type BrowserSettings } from './browser.ts';
import { router } from './router.ts';

export const sessionRoutes = ({ signIn, browser }: { readonly signIn: BrowserSignIn; readonly browser: BrowserSettings }) =>
  router({
    'POST /session': async (event, context) => {
      const form = bodyParams(event, { json: false });
      const delivery = await signIn.completeSession({
        form: { ticket: form.get('ticket'), role: form.get('role'), duration: form.get('duration'), target: form.get('target'), destination: form.get('destination') },
        browserId: browserIdOf(event, browser),
        ctx: requestContextOf(event, context.awsRequestId),
      });
      // The ticket is spent: so are the binding and picker cookies.
      return renderDelivery(delivery, [clearBrowserCookie(browser), clearPickerCookie(browser)]);
    },

    'GET /session': async (event, context) => {
      const query = (queryParams(event).get('q') ?? '').slice(0, MAX_QUERY);
      // The same checks as the form's (sealed, unexpired, this browser's); nothing is spent by looking.
      const picker = await signIn.showPicker({
        ticket: readCookie(event, PICKER_COOKIE, browser.secure),
        browserId: browserIdOf(event, browser),
        ctx: requestContextOf(event, context.awsRequestId),
      });
      return pickerPage({ ...picker, query, serverFilter: true }, { formTargets: [browser.signinOrigin] });
    },
  });
