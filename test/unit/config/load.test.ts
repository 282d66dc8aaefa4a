import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, buildConfig, loadConfigFile, parseConfigText, validateConfig } from '../../../shared/config/index.ts';
import { baseConfig, configFrom } from '../../support/config.ts';

const errorsOf = (data: unknown) => validateConfig(data).problems.filter((p) => p.severity === 'error');
const warningsOf = (data: unknown) => validateConfig(data).problems.filter((p) => p.severity === 'warning');

describe('config schema', () => {
  it('accepts the base config and fills defaults', async () => {
    const config = await configFrom(baseConfig());
    expect(config.broker.clockSkewSeconds).toBe(60);
    expect(config.broker.defaultSessionSeconds).toBe(3600);
    expect(config.broker.samlEntityId).toBe('https://broker.example.com/saml/metadata');
    expect(config.broker.acsUrl).toBe('https://broker.example.com/saml/acs');
    expect(config.roles['dev-readonly']?.issuance).toBe('assume-role');
    expect(config.rules.map((r) => r.id)).toEqual(['no-contractors', 'engineers-dev', 'admins-prod']);
  });

  it('names unnamed rules rule-N by position', async () => {
    const data = baseConfig();
    delete data.rules[1].id;
    expect((await configFrom(data)).rules[1]?.id).toBe('rule-2');
  });

  it('reports every problem at once, by path', () => {
    const data = baseConfig();
    data.broker.baseUrl = 'ftp://x';
    data.broker.clockSkewSeconds = -1;
    data.roles['dev-readonly'].arn = 'not-an-arn';
    data.providers['corp-oidc'].issuer = 'http://idp.example.com';
    data.rules[1].effect = 'maybe';
    const paths = errorsOf(data).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'broker.baseUrl',
        'broker.clockSkewSeconds',
        'roles.dev-readonly.arn',
        'providers.corp-oidc.issuer',
        'rules[1].effect',
      ]),
    );
  });

  it('rejects unknown keys (a typo is not silently ignored)', () => {
    const data = baseConfig();
    data.broker.defaultSessionSecond = 900;
    // At the key's own path, saying what is wrong.
    expect(errorsOf(data)).toContainEqual(expect.objectContaining({ path: 'broker.defaultSessionSecond', message: expect.stringContaining('unknown key') }));
  });

  it.each([
    ['a number as a string', (d: Record<string, any>) => (d.broker.clockSkewSeconds = '60'), 'broker.clockSkewSeconds', 'must be a number'],
    ['a provider of no known type', (d: Record<string, any>) => (d.providers['corp-oidc'].type = 'ldap'), 'providers.corp-oidc.type', 'must be "saml" or "oidc"'],
    ['another version', (d: Record<string, any>) => (d.version = 2), 'version', 'must be 1'],
    ['a tag value that is not a string', (d: Record<string, any>) => (d.rules[1].session.tags.Team = 5), 'rules[1].session.tags.Team', 'must be a string'],
    ['a condition value of the wrong shape', (d: Record<string, any>) => (d.rules[1].conditions.StringLike.email = { any: 1 }), 'rules[1].conditions.StringLike.email', 'a list of them'],
    ['roles as a string', (d: Record<string, any>) => (d.rules[1].roles = 'dev-readonly'), 'rules[1].roles', 'must be a list'],
    ['a duration out of range', (d: Record<string, any>) => (d.broker.clockSkewSeconds = 9999), 'broker.clockSkewSeconds', 'at most 600'],
  ])('names the field and what it expects for %s (never a bare "Invalid input")', (_name, mutate, path, words) => {
    const data = baseConfig();
    mutate(data);
    const problem = errorsOf(data).find((p) => p.path === path);
    expect(problem?.message).toContain(words);
    expect(problem?.message).not.toMatch(/^Invalid input$/);
  });

  it('accepts loopback http issuers for development', () => {
    const data = baseConfig();
    data.providers['corp-oidc'].issuer = 'http://127.0.0.1:9000';
    expect(errorsOf(data)).toEqual([]);
  });

  it('requires secrets to be references, and never echoes the literal', () => {
    const data = baseConfig();
    data.providers['corp-oidc'].clientSecret = 'hunter2-super-secret';
    const problems = errorsOf(data);
    expect(problems.map((p) => p.path)).toContain('providers.corp-oidc.clientSecret');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });

  it('rejects session durations outside STS limits', () => {
    const data = baseConfig();
    data.roles['dev-readonly'].maxSessionSeconds = 50_000;
    data.rules[1].session.maxSeconds = 600;
    expect(errorsOf(data).map((p) => p.path)).toEqual(expect.arrayContaining(['roles.dev-readonly.maxSessionSeconds', 'rules[1].session.maxSeconds']));
  });

  it('refuses a SAML provider without metadata, or with both forms', () => {
    const none = baseConfig();
    delete none.providers['corp-saml'].metadataXml;
    const both = baseConfig();
    both.providers['corp-saml'].metadataFile = 'idp.xml';
    expect(errorsOf(none).map((p) => p.path)).toContain('providers.corp-saml');
    expect(errorsOf(both).map((p) => p.path)).toContain('providers.corp-saml');
  });

  it('warns about web-identity roles without a signing key', () => {
    expect(warningsOf(baseConfig()).map((p) => p.path)).toContain('roles.prod-admin.issuance');
  });
});

describe('config files and references', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads YAML, resolves metadataFile relative to the config file and env: secrets', async () => {
    await writeFile(join(dir, 'idp.xml'), '<EntityDescriptor entityID="x"/>');
    const data = baseConfig();
    delete data.providers['corp-saml'].metadataXml;
    data.providers['corp-saml'].metadataFile = 'idp.xml';
    data.providers['corp-oidc'].clientSecret = 'env:TEST_OIDC_SECRET';
    const { stringify } = await import('yaml');
    await writeFile(join(dir, 'broker.yaml'), stringify(data));
    const config = await loadConfigFile(join(dir, 'broker.yaml'), { env: { TEST_OIDC_SECRET: 's3cret' } });
    const saml = config.providers['corp-saml'];
    expect(saml?.type === 'saml' && saml.metadataXml).toBe('<EntityDescriptor entityID="x"/>');
    expect(config.secrets.get('env:TEST_OIDC_SECRET')).toBe('s3cret');
  });

  it('loads JSON', async () => {
    await writeFile(join(dir, 'broker.json'), JSON.stringify(baseConfig()));
    expect((await loadConfigFile(join(dir, 'broker.json'))).rules).toHaveLength(3);
  });

  it('reports a missing environment variable by path', async () => {
    const data = baseConfig();
    data.providers['corp-oidc'].clientSecret = 'env:NOT_SET_ANYWHERE_123';
    const failure = buildConfig(data, join(dir, 'x.yaml'), { env: {} });
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({ problems: expect.arrayContaining([expect.objectContaining({ path: 'providers.corp-oidc.clientSecret', severity: 'error' })]) });
  });

  it('resolves ssm: references through the resolver it is given', async () => {
    const data = baseConfig();
    data.providers['corp-oidc'].clientSecret = 'ssm:/federation-broker/oidc-secret';
    const config = await buildConfig(data, join(dir, 'x.yaml'), {
      ssm: async (names) => new Map(names.map((n) => [n, `value-of-${n}`])),
    });
    expect(config.secrets.get('ssm:/federation-broker/oidc-secret')).toBe('value-of-/federation-broker/oidc-secret');
  });

  it('fails closed when SSM cannot be read, without echoing anything', async () => {
    const data = baseConfig();
    data.providers['corp-oidc'].clientSecret = 'ssm:/federation-broker/oidc-secret';
    const failure = buildConfig(data, join(dir, 'x.yaml'), {
      ssm: async () => {
        throw Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' });
      },
    });
    await expect(failure).rejects.toMatchObject({ problems: expect.arrayContaining([expect.objectContaining({ path: 'providers.corp-oidc.clientSecret', severity: 'error' })]) });
  });

  it('reports YAML syntax errors by position without echoing the text', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'version: 1\nbroker:\n  clientSecret: "hunter2\n  x: [\n');
    const failure = loadConfigFile(join(dir, 'bad.yaml'));
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await failure.catch((error: ConfigError) => expect(error.message).not.toContain('hunter2'));
  });

  it('refuses duplicate keys in YAML', async () => {
    await writeFile(join(dir, 'dup.yaml'), 'version: 1\nversion: 1\n');
    await expect(loadConfigFile(join(dir, 'dup.yaml'))).rejects.toBeInstanceOf(ConfigError);
    await loadConfigFile(join(dir, 'dup.yaml')).catch((error: ConfigError) => expect(error.problems[0]?.message).toBe('YAML duplicated mapping key at line 2, column 1'));
  });

  describe('YAML (1.2 core schema)', () => {
    const head = 'version: 1\nbroker: { baseUrl: "https://broker.example.com" }\nproviders: {}\nroles: { r: { arn: "arn:aws:iam::111122223333:role/R" } }\n';
    const parse = (text: string) => parseConfigText(text, 'broker.yaml');
    const rejectsAliases = async (text: string) =>
      expect(parse(text)).rejects.toMatchObject({ problems: [expect.objectContaining({ message: 'YAML aliases: undefined anchor or too many alias expansions' })] });

    it('reads dates, yes/no and octal-looking values as the core schema does (dates stay strings)', async () => {
      expect(await parse('a: 2026-01-01\nb: yes\nc: 0o17\nd: "010"\ne: ~\n')).toEqual({ a: '2026-01-01', b: 'yes', c: 15, d: '010', e: null });
    });

    it('resolves a few aliases (a shared condition block)', async () => {
      const config = await parseConfigText(`${head}x: &c { StringEquals: { team: a } }\ny: *c\n`, 'broker.yaml');
      expect(config).toMatchObject({ x: { StringEquals: { team: 'a' } }, y: { StringEquals: { team: 'a' } } });
    });

    it('refuses a self-referencing alias (a cyclic document)', async () => {
      await rejectsAliases(`${head}rules:\n  - roles: [r]\n    session:\n      policy: &p { Statement: [*p] }\n`);
    });

    it('refuses aliases that expand exponentially within the alias count (2 per level, 40 levels)', async () => {
      const levels = ['l0: &l0 [x, x]'];
      for (let i = 1; i <= 40; i++) levels.push(`l${i}: &l${i} [*l${i - 1}, *l${i - 1}]`);
      await rejectsAliases(`${head}${levels.join('\n')}\n`);
    });

    it('refuses more than 100 aliases, undefined aliases and merge keys (no merge in the core schema: a strict-schema error)', async () => {
      await expect(parse(`a: &a 1\nb: [${Array(101).fill('*a').join(', ')}]\n`)).rejects.toBeInstanceOf(ConfigError);
      await expect(parse('b: *nowhere\n')).rejects.toBeInstanceOf(ConfigError);
      expect(validateConfig(await parse(`${head}rules: []\nbase: &b { x: 1 }\nother: { <<: *b }\n`)).problems.some((p) => p.severity === 'error')).toBe(true);
    });

    it('names the position, never the text, of a syntax error', async () => {
      const failure = parse('version: 1\nbroker:\n  sealingSecret: "hunter2\n');
      await expect(failure).rejects.toBeInstanceOf(ConfigError);
      await failure.catch((error: ConfigError) => {
        expect(error.problems[0]?.message).toMatch(/^YAML [A-Za-z ,()-]+ at line \d+, column \d+$/);
        expect(JSON.stringify(error.problems)).not.toContain('hunter2');
      });
    });
  });
});
