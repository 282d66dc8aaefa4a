// fbroker against the real broker: `npm start` as its own process on free ports (tools/local/stack-process.ts), the
// built single file (`npm run build:cli`) run by the machine's own Node 20 as a user would run it, headless Chromium
// as its $BROWSER (cli-chromium.ts) signing demo users in at the development IdPs, and the broker's audit records read
// from its output to count sign-ins and exchanges. Every secret fbroker handled is collected, so that a test file can
// check that none reached stderr.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildCli } from '../../tools/build/build-cli.ts';
import { cleanEnv, findNode20, runFbroker, tempCache, type Run, type RunOptions } from './fbroker.ts';
import { startStackProcess, type RunningStack } from '../../tools/local/stack-process.ts';

const CHROMIUM_BROWSER = resolve(import.meta.dirname, 'cli-chromium.ts');
/** Seconds fbroker waits for a sign-in: a failed browser ends a test in this time, not at the runner's timeout. */
export const SIGN_IN_TIMEOUT = '40';

/** The fields of the broker's audit record (docs/operations.md) these tests read. */
export interface AuditEntry {
  readonly route: string;
  readonly decision: string;
  readonly code?: string;
  readonly subject?: string;
  readonly provider?: string;
  readonly roleArn?: string;
  readonly sessionId?: string;
  readonly accessKeyId?: string;
}

export interface SignInAs {
  /** Demo user of the development IdPs (default alice). */
  readonly user?: string;
  /** Which development IdP the browser signs in at (default oidc). */
  readonly idp?: 'oidc' | 'saml';
}

export interface FbrokerRun extends Run {
  /** How many sign-ins the Chromium $BROWSER started during this run. */
  readonly browserOpens: number;
  readonly browserLog: string;
}

export interface E2eOptions extends SignInAs {
  /** The cache folder (FBROKER_CACHE_DIR). */
  readonly cache: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly onStart?: RunOptions['onStart'];
}

export interface E2e {
  readonly stack: RunningStack;
  /** The offline STS emulator of the stack. */
  readonly sts: string;
  /** The built fbroker. */
  readonly file: string;
  readonly node20: string;
  readonly work: string;
  /** A new, empty cache folder. */
  cache(): Promise<string>;
  /** Position in the broker's output: audit records after it are this test's. */
  mark(): number;
  /** The audit records written since `mark()`, once the broker's output has been quiet for a moment. */
  audit(since: number): Promise<AuditEntry[]>;
  /** The $BROWSER command line that signs `user` in at `idp`, logging to `log`. */
  browser(as: SignInAs, log: string): string;
  /** fbroker (built, on Node 20) against the stack, with the Chromium $BROWSER. */
  fb(args: readonly string[], options: E2eOptions): Promise<FbrokerRun>;
  /** A person opening `url` in Chromium and signing in there; resolves with the browser script's exit status. */
  person(url: string, as: SignInAs & { readonly cancel?: boolean }, log: string): Promise<number | null>;
  /** `fbroker login --device`, with the person's part (the /cli/device page, then the IdP) done in Chromium. */
  deviceLogin(options: E2eOptions & { readonly cancel?: boolean }): Promise<FbrokerRun & { readonly browserCode: number | null }>;
  /** Every secret fbroker has handled so far (session tokens, DPoP keys, AWS secrets, sign-in tokens, endpoint tokens). */
  readonly secrets: Set<string>;
  /** Adds the secrets of a cache that another program (the SDK, the AWS CLI) made fbroker write. */
  collect(cache: string): Promise<void>;
  /** Every stderr so far (with the browser logs). */
  readonly stderrs: string[];
  stop(): Promise<void>;
}

const SECRET_FIELDS = new Set(['accessToken', 'd', 'SecretAccessKey', 'SessionToken']);

/** The values of secret fields anywhere in a JSON document. */
const secretValues = (value: unknown, into: Set<string>): void => {
  if (Array.isArray(value)) for (const v of value) secretValues(v, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELDS.has(k) && typeof v === 'string' && v.length >= 8) into.add(v);
      else secretValues(v, into);
    }
  }
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** Secrets in a cache folder and in what fbroker printed on stdout (credential JSON, a console sign-in URL). */
const collectSecrets = async (cache: string, stdout: string, into: Set<string>): Promise<void> => {
  const files = existsSync(cache) ? (await readdir(cache, { recursive: true })).map(String).filter((f) => f.endsWith('.json')) : [];
  for (const file of files) secretValues(parseJson(await readFile(join(cache, file), 'utf8').catch(() => '')), into);
  secretValues(parseJson(stdout), into);
  for (const token of stdout.matchAll(/SigninToken=([^&\s]+)/g)) into.add(decodeURIComponent(token[1]!));
  for (const token of stdout.matchAll(/AWS_CONTAINER_AUTHORIZATION_TOKEN=(\S+)/g)) into.add(token[1]!);
};

export const startE2e = async (): Promise<E2e> => {
  const work = (await tempCache()).dir;
  const [stack, built, node20] = await Promise.all([startStackProcess(), buildCli(join(work, 'dist', 'fbroker.mjs')), findNode20()]);
  const sts = /STS\s+(http:\/\/\S+)/.exec(stack.output())?.[1];
  if (sts === undefined) throw new Error(`no STS emulator in the output of npm start:\n${stack.output()}`);
  const secrets = new Set<string>();
  const stderrs: string[] = [];
  let logs = 0;

  const browser = (as: SignInAs, log: string): string => `"${process.execPath}" "${CHROMIUM_BROWSER}" --user ${as.user ?? 'alice'} --idp ${as.idp ?? 'oidc'} --log "${log}"`;
  const browserRun = async (log: string): Promise<{ browserOpens: number; browserLog: string }> => {
    const text = await readFile(log, 'utf8').catch(() => '');
    stderrs.push(text);
    return { browserOpens: text.split('\n').filter((l) => l.startsWith('open ')).length, browserLog: text };
  };

  const fb = async (args: readonly string[], options: E2eOptions): Promise<FbrokerRun> => {
    const log = join(work, `browser-${(logs += 1)}.log`);
    const run = await runFbroker(args, {
      node: node20,
      entry: built.file,
      timeoutMs: options.timeoutMs ?? 60_000,
      env: { FBROKER_URL: stack.url, FBROKER_CACHE_DIR: options.cache, BROWSER: browser(options, log), ...options.env },
      ...(options.onStart === undefined ? {} : { onStart: options.onStart }),
    });
    stderrs.push(run.stderr);
    await collectSecrets(options.cache, run.stdout, secrets);
    return { ...run, ...(await browserRun(log)) };
  };

  const person: E2e['person'] = (url, as, log) => {
    const args = [CHROMIUM_BROWSER, '--user', as.user ?? 'alice', '--idp', as.idp ?? 'oidc', '--log', log, ...(as.cancel === true ? ['--cancel'] : []), url];
    return new Promise((done) => spawn(process.execPath, args, { stdio: 'ignore', env: cleanEnv() }).once('exit', (code) => done(code)));
  };

  const deviceLogin: E2e['deviceLogin'] = async (options) => {
    const log = join(work, `browser-${(logs += 1)}.log`);
    let opened: Promise<number | null> = Promise.resolve(null);
    const run = await fb(['login', '--device', '--timeout', SIGN_IN_TIMEOUT], {
      ...options,
      // What the person does: open the printed link in a browser, where the code is already filled in.
      onStart: (_child, stderr) => {
        const poll = setInterval(() => {
          const link = /\(or open (http:\/\/\S+user_code=[A-Z-]+)\)/.exec(stderr())?.[1];
          if (link === undefined) return;
          clearInterval(poll);
          opened = person(link, options, log);
        }, 50);
        setTimeout(() => clearInterval(poll), 30_000).unref();
      },
    });
    const browserCode = await opened;
    const { browserOpens, browserLog } = await browserRun(log);
    return { ...run, browserOpens: run.browserOpens + browserOpens, browserLog: run.browserLog + browserLog, browserCode };
  };

  const auditRecords = (): Array<{ at: number; record: AuditEntry }> => {
    const out = stack.output();
    const records: Array<{ at: number; record: AuditEntry }> = [];
    let at = 0;
    for (const line of out.split('\n')) {
      const parsed = line.startsWith('{') ? (parseJson(line) as { audit?: AuditEntry } | undefined) : undefined;
      if (parsed?.audit !== undefined) records.push({ at, record: parsed.audit });
      at += line.length + 1;
    }
    return records;
  };

  return {
    stack,
    sts,
    file: built.file,
    node20,
    work,
    cache: () => mkdtemp(join(work, 'cache-')),
    mark: () => stack.output().length,
    audit: async (since) => {
      // The records of the last requests may still be in the pipe from the broker's process.
      for (let length = -1; length !== stack.output().length; ) {
        length = stack.output().length;
        await new Promise((r) => setTimeout(r, 150));
      }
      return auditRecords().filter((r) => r.at >= since).map((r) => r.record);
    },
    browser,
    fb,
    person,
    deviceLogin,
    secrets,
    collect: (cache) => collectSecrets(cache, '', secrets),
    stderrs,
    stop: async () => {
      await stack.stop();
      await rm(work, { recursive: true, force: true });
    },
  };
};
