// POST /session: the role picker's form → the console sign-in redirect or the CLI credentials page.

import type { BrowserSignIn } from '../../flows/browser-sign-in.ts';
import { bodyParams, requestContextOf } from '../decode.ts';
import { browserIdOf, clearBrowserCookie, renderDelivery, type BrowserSettings } from './browser.ts';
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
      // The ticket is spent: so is the binding cookie.
      return renderDelivery(delivery, [clearBrowserCookie(browser)]);
    },
  });
