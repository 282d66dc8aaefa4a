// Ctrl-C and SIGTERM. By default: remove half-written cache files and exit 130/143 (locks are released by
// proper-lockfile's exit hook, listeners close with the process). `exec` and `serve` install their own handler.

import { removePendingFiles } from './secure-files.ts';

type Handler = (signal: NodeJS.Signals) => void;

let handler: Handler | undefined;

export const setInterruptHandler = (next: Handler | undefined): void => {
  handler = next;
};

export const installSignalHandlers = (onDefault: (signal: NodeJS.Signals) => void): void => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (handler !== undefined) return handler(signal);
      removePendingFiles();
      onDefault(signal);
      process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
    });
  }
};
