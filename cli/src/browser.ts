// Opening a URL: $BROWSER when set (a command line; the URL appended as its last argument, no shell involved),
// else the platform's opener (the `open` library: xdg-open, open, start, WSL). A failure is reported, not fatal:
// the URL is on stderr as well, for the person to open by hand.

import type { ChildProcess } from 'node:child_process';

/** Splits a command line on spaces; '…' and "…" group (no other shell syntax: nothing is ever evaluated). */
export const splitCommandLine = (line: string): string[] => {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
};

/** Starts the browser on `url`; resolves once it runs (the caller may watch its exit), rejects if it cannot start. */
export const launchBrowser = async (url: string, browserEnv: string | undefined): Promise<ChildProcess> => {
  const [command, ...args] = browserEnv === undefined ? [] : splitCommandLine(browserEnv);
  // Loaded when a browser is needed: `open` and child_process cost start-up time on every cached call.
  if (command === undefined) return (await import('open')).default(url, { wait: false });
  const { spawn } = await import('node:child_process');
  const child = spawn(command, [...args, url], { stdio: 'ignore', detached: process.platform !== 'win32' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`$BROWSER could not be started (${error.code ?? error.message})`)));
  });
  return child;
};

/** Launches the browser and reports (never throws) when it cannot start or exits with a failure. */
export const launchBrowserReporting = (url: string, browserEnv: string | undefined, onFailure: (reason: string) => void): void => {
  launchBrowser(url, browserEnv).then(
    (child) => {
      child.once('exit', (code, signal) => {
        if (code !== 0) onFailure(`the browser command exited with ${code === null ? `signal ${signal}` : `status ${code}`}`);
      });
      child.unref();
    },
    (error: unknown) => onFailure(error instanceof Error ? error.message : 'the browser could not be started'),
  );
};
