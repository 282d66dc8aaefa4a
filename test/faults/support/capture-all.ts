// Everything the process prints: process.stdout/stderr writes (the Powertools logger) through the shared capture,
// plus the global console methods, which the test runner intercepts before they reach process.stdout (libraries
// such as samlify and the AWS SDK's HTTP handler print through console).

import { format } from 'node:util';
import { captureOutput, type Capture } from '../../support/capture.ts';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export const captureEverything = (): Capture => {
  const streams = captureOutput();
  const printed: string[] = [];
  const originals = METHODS.map((name) => [name, console[name]] as const);
  for (const name of METHODS) {
    console[name] = (...args: unknown[]): void => {
      printed.push(`${format(...args)}\n`);
    };
  }
  const text = (): string => `${streams.text()}${printed.join('')}`;
  return {
    text,
    lines: () => text().split('\n').filter(Boolean),
    restore: () => {
      for (const [name, original] of originals) console[name] = original;
      streams.restore();
    },
  };
};
