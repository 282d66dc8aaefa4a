// Fuzzing the config loader: random YAML and JSON text through parseConfigText, random documents through
// validateConfig and buildConfig, and valid configs with random edits. docs/configuration.md: a bad file stops start-up with a
// ConfigError naming the fields; nothing else may escape (a TypeError at cold start names no field), and no
// input may take long. The regressions found this way are pinned by name at the end.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildConfig, ConfigError, loadConfigFile, parseConfigText, validateConfig } from '../../shared/config/index.ts';
import { baseConfig } from '../support/config.ts';
import { nastyString } from '../support/fuzz-arbitraries.ts';
import { RUNS } from '../support/fuzz-harness.ts';

const FILE = '/virtual/broker.yaml';

/** Runs `act`, timed; the outcome must be a value or a ConfigError. */
const settles = async (act: () => Promise<unknown> | unknown): Promise<unknown> => {
  let outcome: unknown;
  try {
    outcome = await act();
  } catch (error) {
    expect(error, `${(error as Error)?.name}: ${(error as Error)?.message}`).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.length).toBeGreaterThan(0);
    outcome = error;
  }
  return outcome;
};

/** Pieces of YAML syntax, so that random documents are mostly almost-YAML rather than plain text. */
const YAML_PIECES = [
  'version: 1', 'broker:', 'providers:', 'roles:', 'rules:', '  ', '\n', '- ', ': ', ', ', '[', ']', '{', '}', '"', "'", '|', '>', '? ', '#', '---', '...',
  '%YAML 1.2', '%TAG ! tag:x,2000:', '!!str ', '!!binary ', '!!set ', '!!omap ', '!!timestamp ', '!custom ', '<<: ', '&a ', '*a', '&b [*a, *a]', '~', 'null', 'true',
  '0x1F', '1e400', '.nan', '-.inf', '2001-12-14t21:59:43.10-05:00', '\t', '\ufeff', '\u0000', '\\u0000', 'env:X', 'file:../x', '${email}', '__proto__: ', 'constructor: ',
];
const yamlSoup = fc.array(fc.oneof(fc.constantFrom(...YAML_PIECES), nastyString(6)), { maxLength: 40 }).map((parts) => parts.join(''));

/** Well-indented YAML lines (mostly valid documents) whose values use anchors, aliases, tags and flow collections. */
const YAML_VALUES = ['x', '1', '"s"', "'s'", '&a x', '&a [x, y]', '*a', '*b', '&b { k: *a }', '[*a, *a, *a]', '&c { self: *c }', '!!str 1', '!!binary aGk=', '!!set { a, b }', '~', '[]', '{}', '|\n    text', '<<: *a'];
const yamlLines = fc
  .array(fc.tuple(fc.nat({ max: 2 }), fc.oneof(fc.constantFrom('version', 'broker', 'rules', 'roles', 'providers', 'policy', 'k', '- k', '__proto__'), nastyString(5)), fc.constantFrom(...YAML_VALUES)), { minLength: 1, maxLength: 12 })
  .map((lines) => lines.map(([indent, key, value]) => `${'  '.repeat(indent)}${key}: ${value}`).join('\n'));

const validYaml = stringify(baseConfig());
const validJson = JSON.stringify(baseConfig(), null, 2);

/** Every path (as keys) to a value in a document. */
const pathsOf = (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
};
const PATHS = pathsOf(baseConfig());

const EDIT_VALUES = [
  '*', '${email}', '${', '${}', '', ' ', 'env:', 'env:1X', 'ssm:', 'file:', 'file:../../../../etc/hostname', 'kms:', 'https://x', 'http://127.0.0.1', 'http://evil.example.com', 'ftp://x',
  -1, 0, 899, 43_201, Number.POSITIVE_INFINITY, 3.5, Number.MAX_SAFE_INTEGER + 2, true, null, [], {}, [[]], { '': '' }, '__proto__', 'constructor', 'ForAllValues:StringLike', 'ForAnyValue:Nope', 'broker:nope',
  'x'.repeat(3000), 'arn:aws:iam::111122223333:role/X', 'saml', 'oidc', 'deny', 'web-identity',
];
const editValue = fc.oneof(fc.constantFrom<unknown>(...EDIT_VALUES), fc.jsonValue({ maxDepth: 2 }), nastyString(20));

type Edit = { path: Array<string | number>; kind: 'set' | 'delete' | 'add'; key: string; value: unknown };
const edit: fc.Arbitrary<Edit> = fc.record({
  path: fc.constantFrom(...PATHS),
  kind: fc.constantFrom('set', 'set', 'delete', 'add'),
  key: fc.oneof(fc.constantFrom('id', 'effect', 'conditions', 'session', 'extra', '__proto__', 'StringLike', 'tags', 'policy'), nastyString(8)),
  value: editValue,
});

/** Applies edits to a fresh copy; own properties are defined, so a key named __proto__ is data as JSON.parse makes it. */
const edited = (edits: readonly Edit[]): unknown => {
  const doc: Record<string, unknown> = baseConfig();
  for (const e of edits) {
    const parentPath = e.path.slice(0, -1);
    let parent: any = doc;
    for (const k of e.kind === 'add' ? e.path : parentPath) parent = parent?.[k];
    if (parent === null || typeof parent !== 'object') continue;
    const key = e.kind === 'add' ? e.key : e.path.at(-1);
    if (key === undefined) continue;
    if (e.kind === 'delete') delete parent[key];
    else Object.defineProperty(parent, key, { value: e.value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
};

describe('parseConfigText: random text', () => {
  it.each(['broker.yaml', 'broker.json'])('%s: a document or a ConfigError, for random and almost-YAML text', async (file) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(yamlSoup, yamlLines, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
        await settles(() => parseConfigText(text, file));
      }),
      { numRuns: RUNS.light },
    );
  });

  it('a document or a ConfigError, for mutations of a valid YAML and JSON config', async () => {
    const mutated = fc.tuple(fc.constantFrom(validYaml, validJson), fc.nat(), fc.oneof(fc.constantFrom(...YAML_PIECES), nastyString(6)), fc.nat({ max: 20 })).map(
      ([text, at, insert, cut]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + cut);
      },
    );
    await fc.assert(
      fc.asyncProperty(mutated, fc.boolean(), async (text, json) => {
        const data = await settles(() => parseConfigText(text, json ? 'broker.json' : 'broker.yaml'));
        if (!(data instanceof ConfigError)) await settles(() => buildConfig(data, FILE, { resolveSecrets: false }));
      }),
      { numRuns: RUNS.light },
    );
  });
});

describe('validateConfig and buildConfig: random documents', () => {
  it('validateConfig returns problems for any JSON value, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (data) => {
        const { config, problems } = validateConfig(data);
        expect(config !== undefined || problems.some((p) => p.severity === 'error')).toBe(true);
      }),
      { numRuns: RUNS.light },
    );
  });

  it('buildConfig gives a config or a ConfigError for a valid config with random edits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), async (edits, resolveSecrets) => {
        const outcome = await settles(() => buildConfig(edited(edits), FILE, { resolveSecrets, env: { X: 'x'.repeat(40) } }));
        if (!(outcome instanceof ConfigError)) expect(outcome).toMatchObject({ broker: { baseUrl: expect.any(String) }, rules: expect.any(Array) });
      }),
      { numRuns: RUNS.light },
    );
  });

  it('buildConfig gives a config or a ConfigError for random session blocks (as YAML anchors can build them)', async () => {
    const cyclic = fc.constant(null).map(() => {
      const node: Record<string, unknown> = { Version: '2012-10-17' };
      node.Statement = [node];
      return node;
    });
    /** Mostly valid values, sometimes any: a strict schema refuses the whole block for one bad field. */
    const usually = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: editValue });
    const session = fc.record(
      {
        maxSeconds: usually(fc.integer({ min: 900, max: 43_200 })),
        name: usually(fc.constantFrom('${email}', '${sub}', '${', '${a}${b}', 'x')),
        sourceIdentity: usually(fc.constantFrom('${email}', '${sub}')),
        tags: usually(fc.dictionary(nastyString(10), fc.oneof(fc.constant('${groups}'), nastyString(10)), { maxKeys: 60 })),
        transitiveTags: usually(fc.array(nastyString(10), { maxLength: 3 })),
        policyArns: usually(fc.array(fc.constant('arn:aws:iam::aws:policy/ReadOnlyAccess'), { maxLength: 12 })),
        policy: usually(fc.oneof(cyclic, fc.dictionary(nastyString(8), fc.jsonValue({ maxDepth: 3 })))),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(session, async (block) => {
        const doc = baseConfig();
        doc.rules[1].session = block;
        await settles(() => buildConfig(doc, FILE, { resolveSecrets: false }));
      }),
      { numRuns: RUNS.normal },
    );
  });

  it('buildConfig gives a config or a ConfigError for any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (data) => {
        await settles(() => buildConfig(data, FILE, { resolveSecrets: false }));
      }),
      { numRuns: RUNS.normal },
    );
  });
});

describe('config regressions found by the fuzzer (docs/configuration.md: a ConfigError naming the problem, nothing else)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-config-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = async (text: string): Promise<unknown> => {
    const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, text);
    return loadConfigFile(file, { resolveSecrets: false });
  };
  const VALID_HEAD = 'version: 1\nbroker: { baseUrl: "https://broker.example.com" }\nproviders: {}\nroles: { r: { arn: "arn:aws:iam::111122223333:role/R" } }\n';

  it('an alias to an anchor never defined is a ConfigError, not a ReferenceError', async () => {
    await expect(load(`${VALID_HEAD}rules: *nowhere\n`)).rejects.toBeInstanceOf(ConfigError);
  });

  it('an alias bomb (billion laughs) is a ConfigError, not a ReferenceError', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']] as const) levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    await expect(load(`${VALID_HEAD}rules: []\n${levels.join('\n')}\n`)).rejects.toBeInstanceOf(ConfigError);
  });

  it('a self-referencing inline session policy is a ConfigError, not a TypeError', async () => {
    await expect(load(`${VALID_HEAD}rules:\n  - roles: [r]\n    conditions: { StringEquals: { sub: alice } }\n    session:\n      policy: &p { Statement: [*p] }\n`)).rejects.toBeInstanceOf(ConfigError);
  });

  it('a condition on a claim named __proto__ is kept or refused, never silently dropped (the rule would grant everyone)', async () => {
    // With a second condition beside it, the dropped one does not even leave the "allow rule without conditions" warning.
    const outcome = await load(`${VALID_HEAD}rules:\n  - id: admins\n    roles: [r]\n    conditions: { StringEquals: { __proto__: [admins], "broker:protocol": oidc } }\n`).catch((error: unknown) => error);
    if (outcome instanceof ConfigError) return;
    const rule = (outcome as { rules: Array<{ conditions?: Record<string, Record<string, unknown>> }> }).rules[0];
    expect(Object.getOwnPropertyNames(rule?.conditions?.StringEquals ?? {})).toContain('__proto__');
  });
});
