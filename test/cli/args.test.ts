// The command line: help, version, and usage errors (exit 2, a USAGE line on stderr) before anything is done.

import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/src/args.ts';
import { main } from '../../cli/src/main.ts';

const run = async (argv: string[], env: Record<string, string> = { FBROKER_URL: 'https://broker.example.com', FBROKER_CACHE_DIR: '/nonexistent/fbroker-test' }) => {
  let out = '';
  let err = '';
  const code = await main(argv, env, { out: (t) => (out += t), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
};

describe('help and version', () => {
  it('no arguments and --help print the commands, exit 0', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      for (const name of Object.keys(COMMANDS)) expect(r.out).toContain(`  ${name} `);
    }
  });

  it.each(Object.keys(COMMANDS))('%s --help lists its options, exit 0', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Usage: fbroker ${name}`));
    expect(r.out).toContain('--broker URL');
  });

  it('--version', async () => {
    const r = await run(['--version']);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^fbroker \d+\.\d+\.\d+ \(Node v\d+/) });
  });
});

describe('usage errors → exit 2, nothing done', () => {
  const rows: ReadonlyArray<{ name: string; argv: string[]; env?: Record<string, string>; says: RegExp }> = [
    { name: 'unknown command', argv: ['credentails'], says: /unknown command "credentails"/ },
    { name: 'unknown option', argv: ['credentials', '--role', 'r', '--rol', 'x'], says: /Unknown option '--rol'/ },
    { name: 'missing --role', argv: ['credentials'], says: /--role is required/ },
    { name: 'option without its value', argv: ['credentials', '--role'], says: /argument missing/ },
    { name: 'stray argument', argv: ['credentials', '--role', 'r', 'extra'], says: /Unexpected argument 'extra'/ },
    { name: 'duration below STS minimum', argv: ['credentials', '--role', 'r', '--duration', '899'], says: /--duration must be a whole number from 900 to 43200/ },
    { name: 'duration not a number', argv: ['credentials', '--role', 'r', '--duration', '1h'], says: /--duration/ },
    { name: 'serve port out of range', argv: ['serve', '--role', 'r', '--port', '70000'], says: /--port/ },
    { name: 'exec without a command', argv: ['exec', '--role', 'r'], says: /give the command to run after --/ },
    { name: 'a command after -- where none is taken', argv: ['roles', '--', 'ls'], says: /takes no command/ },
    { name: '--device with --callback-port', argv: ['login', '--device', '--callback-port', '8400'], says: /--callback-port/ },
    { name: 'no broker URL', argv: ['login'], env: {}, says: /no broker URL: pass --broker URL or set FBROKER_URL/ },
    { name: 'broker URL with a query', argv: ['login', '--broker', 'https://b.example/?x=1'], says: /without credentials, query or fragment/ },
    { name: 'broker URL not https', argv: ['login', '--broker', 'ftp://b.example'], says: /must be an https:\/\/ URL/ },
  ];
  it.each(rows)('$name', async ({ argv, env, says }) => {
    const r = await run(argv, env);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^fbroker: USAGE: /);
    expect(r.err).toMatch(says);
  });

  it('plain http to a remote broker is a refusal (exit 1), not a usage error', async () => {
    const r = await run(['login', '--broker', 'http://broker.example.com']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^fbroker: INSECURE_BROKER_URL: /);
  });
});
