// credentials, roles, console: one use of the session each.

import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { flag, integerOption, stringOption, type ParsedOptions } from '../args.ts';
import { launchBrowser } from '../browser.ts';
import { consoleUrl, listRoles } from '../broker-api.ts';
import { credentialProcessJson, getCredentials } from '../credentials.ts';
import { CliError, printable } from '../errors.ts';
import { useSession, type Context } from '../session.ts';

export const durationOption = (options: ParsedOptions): number | undefined => integerOption(options, 'duration', 900, 43_200);
const allowLogin = (options: ParsedOptions): boolean => !flag(options, 'no-login');

export const credentials = async (ctx: Context, options: ParsedOptions): Promise<number> => {
  const c = await getCredentials(ctx, { role: stringOption(options, 'role')!, duration: durationOption(options), allowLogin: allowLogin(options) });
  ctx.io.out(credentialProcessJson(c));
  return 0;
};

export const roles = async (ctx: Context, options: ParsedOptions): Promise<number> => {
  const list = await useSession(ctx, allowLogin(options), (session) => listRoles(ctx.broker, session));
  if (flag(options, 'json')) {
    ctx.io.out(`${JSON.stringify({ roles: list }, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) {
    ctx.io.err('fbroker: no role is granted to you');
    return 0;
  }
  const rows = list.map((r) => [r.id, r.account?.id ?? r.arn.split(':')[4] ?? '', r.label ?? '', r.maxSessionSeconds === undefined ? '' : `${r.maxSessionSeconds} s`].map((c) => printable(c, 120)));
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['ROLE', 'ACCOUNT', 'LABEL'][i]!.length));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  ctx.io.out(`${[line(['ROLE', 'ACCOUNT', 'LABEL', 'MAX']), ...rows.map(line)].join('\n')}\n`);
  return 0;
};

const BROWSER_GRACE_MS = 1500;

export const consoleCommand = async (ctx: Context, options: ParsedOptions): Promise<number> => {
  const role = stringOption(options, 'role')!;
  const url = await useSession(ctx, allowLogin(options), (session) => consoleUrl(ctx.broker, session, role, stringOption(options, 'destination')));
  if (flag(options, 'print')) {
    ctx.io.out(`${url}\n`);
    return 0;
  }
  // The sign-in URL is a secret for 15 minutes: it goes to the browser, never to stderr.
  const failed = (reason: string): CliError => new CliError('BROWSER_FAILED', `${reason}; run again with --print and open the URL yourself`);
  const child = await launchBrowser(url, ctx.signIn.browserEnv).catch((error: unknown) => {
    throw failed(error instanceof Error ? error.message : 'the browser could not be started');
  });
  const exit = await Promise.race([once(child, 'exit') as Promise<[number | null]>, delay(BROWSER_GRACE_MS, undefined, { ref: false })]);
  child.unref();
  if (exit !== undefined && exit[0] !== 0) throw failed(`the browser command exited with status ${exit[0]}`);
  ctx.io.err(`fbroker: opened the AWS console as ${role}`);
  return 0;
};
