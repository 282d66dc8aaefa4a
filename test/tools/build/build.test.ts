// The build as `sam build` runs it: the esbuild arguments come from template.yaml, and a built bundle is a
// self-contained ES module that a fresh Node process imports and finds `handler` in.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../../tools/lib/lambda-events.ts';
import { buildFunction, esbuildFunctions, samEsbuildArgs, unresolvedImports, validatorFilesOf, type BuiltFunction } from '../../../tools/build/build.ts';
import { prevalidateConfig } from '../../../tools/build/prevalidate.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

describe('samEsbuildArgs', () => {
  it('passes the BuildProperties as sam build does: entry, defaults, then booleans, single and multi values', () => {
    const args = samEsbuildArgs(
      { Format: 'esm', Minify: true, Sourcemap: true, Target: 'es2024', Platform: 'node', MainFields: 'module,main', OutExtension: ['.js=.mjs'], Banner: ['js=// hi'], EntryPoints: ['functions/token/index.ts'] },
      '/out',
    );
    expect(args).toEqual([
      'functions/token/index.ts',
      '--bundle',
      '--platform=node',
      '--outdir=/out',
      '--minify',
      '--sourcemap',
      '--target=es2024',
      '--format=esm',
      '--main-fields=module,main',
      '--out-extension:.js=.mjs',
      '--banner:js=// hi',
    ]);
  });

  it('adds the defaults SAM adds when a property is absent', () => {
    expect(samEsbuildArgs({ EntryPoints: ['functions/web/index.ts'] }, '/out')).toEqual(['functions/web/index.ts', '--bundle', '--platform=node', '--outdir=/out', '--target=es2020', '--format=cjs', '--minify']);
  });

  it('refuses a property sam build would silently drop, and a missing entry point', () => {
    expect(() => samEsbuildArgs({ EntryPoints: ['functions/web/index.ts'], Splitting: true }, '/out')).toThrow(/Splitting/);
    expect(() => samEsbuildArgs({ EntryPoints: ['functions/nope/index.ts'] }, '/out')).toThrow(/does not exist/);
  });

  it('finds every function of template.yaml built with esbuild', () => {
    expect(esbuildFunctions().map((fn) => fn.logicalId)).toEqual(expect.arrayContaining(['TokenFunction', 'SamlFunction']));
  });
});

describe('buildFunction', () => {
  let dir: string;
  let built: BuiltFunction;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-build-'));
    const token = esbuildFunctions().find((fn) => fn.logicalId === 'TokenFunction')!;
    built = await buildFunction(token, { outDir: dir, metafile: join(dir, 'meta.json') });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes <LogicalId>/index.mjs (+ config.mjs, aws.mjs, aws-full.mjs, saml2.mjs and tracing.mjs, its other entry points) that need nothing but Node builtins at run time', () => {
    expect(built.file).toBe(join(dir, 'TokenFunction', 'index.mjs'));
    expect(built.onDemand.map((f) => f.file)).toEqual(['config.mjs', 'aws.mjs', 'aws-full.mjs', 'saml2.mjs', 'tracing.mjs'].map((f) => join(dir, 'TokenFunction', f)));
    expect(unresolvedImports(built)).toEqual([]);
  });

  it('leaves the unused credential providers out: only import() reaches them, and nothing links node:http', async () => {
    const external = built.runtimeImports.filter((i) => !isBuiltin(i.path));
    expect(external.length).toBeGreaterThan(0);
    expect(external.every((i) => i.kind === 'dynamic-import' && built.external.includes(i.path))).toBe(true);
    // In the handler's bundle; tracing.mjs (loaded only with Tracing=true) links it: the Tracer records HTTP calls.
    expect(await readFile(built.file, 'utf8')).not.toMatch(/from\s*"node:http"/);
  });

  it('counts a statically imported package, or an undeclared one, as unresolved', () => {
    const external = ['@aws-sdk/credential-provider-ini'];
    expect(unresolvedImports({ external, runtimeImports: [{ path: '@aws-sdk/credential-provider-ini', kind: 'import-statement' }] })).toEqual(['@aws-sdk/credential-provider-ini']);
    expect(unresolvedImports({ external, runtimeImports: [{ path: 'left-pad', kind: 'dynamic-import' }] })).toEqual(['left-pad']);
    expect(unresolvedImports({ external, runtimeImports: [{ path: '@aws-sdk/credential-provider-ini', kind: 'dynamic-import' }, { path: 'node:crypto', kind: 'import-statement' }] })).toEqual([]);
  });

  it('is an ES module that a fresh Node process imports, exporting a handler function', async () => {
    const script = 'const m = await import(process.argv[1]); console.log(JSON.stringify(Object.keys(m)), typeof m.handler);';
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(built.file).href], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BROKER_CONFIG: resolve(ROOT, 'config/broker.local.yaml'),
        BROKER_SEALING_SECRET: 'build-test-sealing-secret-0123456789abcdefghij',
        AWS_REGION: 'us-east-1',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    expect(stdout.trim()).toBe('["handler"] function');
  });

  it('imports saml2.mjs for a saml2 subject token, and its errors keep their code (400, not 500)', async () => {
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', subject_token: Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>').toString('base64') }).toString();
    const event = httpApiEvent('/token', { body, base64: false, sourceIp: '192.0.2.10', userAgent: 'build-test', requestId: 'build-test' });
    const script = `const { handler } = await import(process.argv[1]);
const res = await handler(JSON.parse(process.argv[2]), { awsRequestId: 'build-test', functionName: 'TokenFunction', getRemainingTimeInMillis: () => 15000 });
console.log(JSON.stringify({ status: res.statusCode, code: JSON.parse(res.body).code }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(built.file).href, JSON.stringify(event)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', BROKER_CONFIG: resolve(ROOT, 'config/broker.local.yaml'), BROKER_SEALING_SECRET: 'build-test-sealing-secret-0123456789abcdefghij', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    const lines = stdout.trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ status: 400, code: 'SAML_INVALID' });
    // The bundle's metrics: one EMF line counting the refusal by its code.
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l._aws !== undefined)).toContainEqual(expect.objectContaining({ Refusals: 1, code: 'SAML_INVALID', function: 'token' }));
  });

  it('with BROKER_TRACING=true, loads tracing.mjs beside index.mjs and still answers', async () => {
    const script = `const { handler } = await import(process.argv[1]);
const res = await handler(JSON.parse(process.argv[2]), { awsRequestId: 'build-test', functionName: 'TokenFunction', getRemainingTimeInMillis: () => 15000 });
console.log(JSON.stringify({ status: res.statusCode, code: JSON.parse(res.body).code }));`;
    const event = httpApiEvent('/token', { body: 'grant_type=nope', base64: false, requestId: 'build-test' });
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(built.file).href, JSON.stringify(event)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', BROKER_CONFIG: resolve(ROOT, 'config/broker.local.yaml'), BROKER_SEALING_SECRET: 'build-test-sealing-secret-0123456789abcdefghij', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR', BROKER_TRACING: 'true', BROKER_METRICS: 'off' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ status: 400, code: 'UNSUPPORTED_GRANT_TYPE' });
  });
});

describe('what a cold start of the built token function loads', () => {
  let dir: string;
  let built: BuiltFunction;
  const LOADS = `import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) loaded.push(url.slice(url.lastIndexOf('/') + 1)); return next(url, context); } });
const { handler } = await import(process.argv[1]);
console.log(JSON.stringify({ handler: typeof handler, loaded: loaded.filter((f) => f.endsWith('.mjs')).sort() }));`;
  const coldStart = async (configFile: string): Promise<{ handler: string; loaded: string[] }> => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LOADS, pathToFileURL(built.file).href], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', BROKER_CONFIG: configFile, BROKER_SEALING_SECRET: 'build-test-sealing-secret-0123456789abcdefghij', AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    return JSON.parse(stdout.trim()) as { handler: string; loaded: string[] };
  };
  /** config/broker.local.yaml (edited by `edit`) in a folder of its own, with its dev-keys beside it. */
  const configCopy = async (name: string, edit: (text: string) => string = (t) => t): Promise<string> => {
    const folder = await mkdtemp(join(dir, `${name}-`));
    await symlink(resolve(ROOT, 'config/dev-keys'), join(folder, 'dev-keys'));
    const file = join(folder, 'broker.yaml');
    await writeFile(file, edit(await readFile(resolve(ROOT, 'config/broker.local.yaml'), 'utf8')));
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-cold-'));
    built = await buildFunction(esbuildFunctions().find((fn) => fn.logicalId === 'TokenFunction')!, { outDir: dir, metafile: join(dir, 'meta.json') });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('index.mjs carries no AWS SDK, YAML parser, schema library or XML code: those are its other entry points', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }> };
    const inputs = Object.keys(Object.values(meta.outputs).find((o) => o.entryPoint === 'functions/token/index.ts')!.inputs);
    expect(inputs.filter((i) => /node_modules\/(@aws-sdk|@smithy|zod|js-yaml|@xmldom|xml-crypto|xpath)\//.test(i))).toEqual([]);
  });

  it('with a pre-validated config: its AWS clients (aws.mjs), not the validator', async () => {
    const file = await configCopy('prevalidated');
    await prevalidateConfig(file, validatorFilesOf([built]));
    expect(await coldStart(file)).toEqual({ handler: 'function', loaded: ['aws.mjs', 'index.mjs'] });
  });

  it('without one, or with one the config has changed since: the validator (config.mjs) validates the file', async () => {
    const absent = await configCopy('absent');
    expect(await coldStart(absent)).toEqual({ handler: 'function', loaded: ['aws.mjs', 'config.mjs', 'index.mjs'] });
    const stale = await configCopy('stale');
    await prevalidateConfig(stale, validatorFilesOf([built]));
    await writeFile(stale, `${await readFile(stale, 'utf8')}\n# edited after the build\n`);
    expect(await coldStart(stale)).toEqual({ handler: 'function', loaded: ['aws.mjs', 'config.mjs', 'index.mjs'] });
  });

  it('a config with a kms: signing key loads aws-full.mjs (KMS and SSM too) instead of aws.mjs', async () => {
    const file = await configCopy('kms', (text) => text.replace('\nbroker:\n', '\nbroker:\n  signingKey: kms:alias/build-test\n'));
    await prevalidateConfig(file, validatorFilesOf([built]));
    expect(await coldStart(file)).toEqual({ handler: 'function', loaded: ['aws-full.mjs', 'index.mjs'] });
  });

  it('a pre-validated config does not stand in for a config that does not validate', async () => {
    const file = await configCopy('invalid', (text) => text.replace('clockSkewSeconds: 60', 'clockSkewSeconds: 6000'));
    await expect(prevalidateConfig(file, validatorFilesOf([built]))).rejects.toMatchObject({ problems: [expect.objectContaining({ path: 'broker.clockSkewSeconds' })] });
    await expect(run(process.execPath, ['--input-type=module', '-e', LOADS, pathToFileURL(built.file).href], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', BROKER_CONFIG: file, AWS_REGION: 'us-east-1' } })).rejects.toMatchObject({ stderr: expect.stringContaining('broker.clockSkewSeconds') });
  });
});
