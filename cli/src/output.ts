// Where fbroker writes. stdout carries only what a command is for (credential_process JSON, export lines, a URL
// asked for with --print, tables); everything for the person goes to stderr — and never a secret.

export interface Output {
  /** The command's result, for programs (credential_process reads it). */
  readonly out: (text: string) => void;
  /** Progress, hints and errors, for the person. One line per call. */
  readonly err: (line: string) => void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (line) => void process.stderr.write(`${line}\n`),
};
