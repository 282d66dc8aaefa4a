// `npm run bench [-- --quick] [-- --baseline REV] [-- --only accounts]`: every figure of docs/performance.md, measured
// in one run on this machine — bundle sizes (built as sam build builds them, and what each cold start loads of them),
// cold starts next to the jose + STS floor and a trivial handler, warm POST /token next to its floor (jose jwtVerify +
// the same STS send) and with a broker session (CLI sign-in) instead of the ID token, warm POST /saml/acs next to
// samlify and node-saml on the same response, CPU to the refusal of the worst SAML messages we know
// (tools/bench/saml-adversarial.ts), `fbroker credentials` with a warm cache and a cache miss next to `node -e 0`, and
// a config of 1,000 accounts × 10 role templates (tools/bench/accounts-config.ts): its load at cold start and one
// decision warm.
// Prints a table and writes .bench/results.json (gitignored). No network: AWS is answered in-process
// (warm) or by a stub on 127.0.0.1 (cold starts). Each measurement runs in its own Node 24 process, one at a time.

import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { generate } from 'selfsigned';
import { stringify } from 'yaml';
import { kb } from '../build/build.ts';
import { benchConfigDocument, benchConfigWithFile, organizationsDocument } from './accounts-config.ts';
import { signDevSamlResponse, signDevToken } from '../events/generate.ts';
import { startAwsStubServer } from './aws-stub.ts';
import { breakdownOf, buildAll, type Builds } from './builds.ts';
import { benchFbroker } from './fbroker.ts';
import { measureColdStarts, measureLoads, NODE, type ColdSample, type ColdSubject, type LoadedFile } from './cold-start.ts';
import { functionEnv, httpEvent, LOCAL_CONFIG, ROOT, samlAcsEvent, samlTokenExchangeEvent, tokenExchangeEvent } from './events.ts';
import type { SamlCpuRow } from './saml-cpu.ts';
import { summarise, type Summary } from './stats.ts';

const WORK = resolve(ROOT, '.bench');
const TRACING_ENV = {
  BROKER_TRACING: 'true',
  AWS_SAM_LOCAL: '',
  AWS_LAMBDA_FUNCTION_NAME: '',
  LAMBDA_TASK_ROOT: ROOT,
  _HANDLER: 'index.handler',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
} as const;
const BUILD = resolve(WORK, 'build');

// --baseline REV: the same cold starts for the bundles of another commit (built by that commit's own build tool), in
// the same run, next to this tree's: before/after figures that share the machine's state.
const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, baseline: { type: 'string' }, only: { type: 'string' } } });
const PLAN = args.quick
  ? { tokenSamples: 500, samlSamples: 40, samlCpuSamples: 5, coldRounds: 3, fbrokerRounds: 5, accountsRounds: 5, accountsSamples: 500 }
  : { tokenSamples: 3000, samlSamples: 300, samlCpuSamples: 15, coldRounds: 15, fbrokerRounds: 30, accountsRounds: 15, accountsSamples: 3000 };

// The targets of issue 17 (docs/performance.md), and the two SAML bounds of earlier rounds.
const TARGETS = {
  tokenColdVsFloor: 1.25,
  samlColdVsFloor: 1.6,
  otherColdVsFloor: 1.25,
  tokenLoaded: 350_000,
  samlLoaded: 650_000,
  tokenWarm: 1.2,
  samlWarmVsSamlify: 0.45,
  sessionVsToken: 1.1,
  samlWarmVsNodeSaml: 1.0,
  samlRefusalCpuMs: 100,
  accountsDecisionMs: 5,
  accountsLoadMs: 100,
} as const;
/** The functions whose cold start has the `otherColdVsFloor` target. */
const OTHER_FUNCTIONS = ['RolesFunction', 'WebFunction', 'IssuerFunction', 'SessionFunction', 'OidcFunction', 'CliFunction'] as const;

// ---------------------------------------------------------------------------------------------------- workers

/** Runs a worker in its own Node 24 process; its stdout (the handlers' logs) goes to /dev/null, its result on fd 3. */
const runWorker = (script: string, argv: readonly string[], env: Record<string, string>): Promise<unknown> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(NODE, [resolve(ROOT, script), ...argv], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
    let out = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && out !== '' ? resolvePromise(JSON.parse(out)) : reject(new Error(`${script} exited ${code}`))));
  });

// ---------------------------------------------------------------------------------------------------- cold starts

/**
 * Copies of the local config beside a link to its key files (`file:` references are relative): as it is, with no
 * pre-validated copy (what a cold start validates itself), and with the sealing secret in SSM (what most deployments
 * do: the cold start loads aws-full.mjs and reads the parameter).
 */
const configCopies = async (): Promise<{ readonly unvalidated: string; readonly ssm: string }> => {
  const dir = resolve(WORK, 'config');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await symlink(resolve(ROOT, 'config/dev-keys'), resolve(dir, 'dev-keys'));
  const text = await readFile(LOCAL_CONFIG, 'utf8');
  const unvalidated = resolve(dir, 'broker.unvalidated.yaml');
  await writeFile(unvalidated, text);
  const ssm = resolve(dir, 'broker.ssm.yaml');
  if (!text.includes('sealingSecret: env:BROKER_SEALING_SECRET')) throw new Error(`${LOCAL_CONFIG} no longer names its sealing secret as the bench expects`);
  await writeFile(ssm, text.replace('sealingSecret: env:BROKER_SEALING_SECRET', 'sealingSecret: ssm:/federation-broker/sealing-secret'));
  return { unvalidated, ssm };
};

interface ColdPlan {
  readonly subjects: ColdSubject[];
  /** Names of the rows that are not the template's settings. */
  readonly whatIf: ReadonlySet<string>;
  /** This tree's row → the baseline commit's row of the same function and event (--baseline). */
  readonly baseline: ReadonlyMap<string, string>;
}

const run = promisify(execFile);

/** The bundles of commit `rev`, built by its own tools/build/build.ts over this tree's node_modules. */
const buildBaseline = async (rev: string): Promise<string> => {
  if (!/^[\w./^~-]{1,100}$/.test(rev)) throw new Error(`--baseline: ${rev} is not a commit name`);
  const dir = resolve(WORK, 'baseline');
  const src = resolve(dir, 'src');
  await rm(dir, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  await run('git', ['archive', '--format=tar', '-o', resolve(dir, 'src.tar'), rev], { cwd: ROOT });
  await run('tar', ['-xf', resolve(dir, 'src.tar'), '-C', src]);
  await symlink(resolve(ROOT, 'node_modules'), resolve(src, 'node_modules'));
  await run(NODE, ['tools/build/build.ts', '--out', resolve(dir, 'build')], { cwd: src });
  return resolve(dir, 'build');
};

const coldPlan = async (builds: Builds, stubUrl: string, caFile: string, configs: { readonly unvalidated: string; readonly ssm: string }, baselineDir?: string): Promise<ColdPlan> => {
  // Every subject, the trivial handler included, trusts the stub's certificate the same way.
  const endpoints = { AWS_ENDPOINT_URL_STS: stubUrl, AWS_ENDPOINT_URL_DYNAMODB: stubUrl, AWS_ENDPOINT_URL_KMS: stubUrl, AWS_ENDPOINT_URL_SSM: stubUrl, NODE_EXTRA_CA_CERTS: caFile };
  const bundle = (id: string): string => {
    const found = builds.functions.find((b) => b.logicalId === id);
    if (!found) throw new Error(`no bundle for ${id}`);
    return found.file;
  };
  const token = await signDevToken('alice', Math.floor(Date.now() / 1000), 3600);
  const samlResponse = await signDevSamlResponse('alice', new Date(), 3600);
  const form = (params: Record<string, string>): string => new URLSearchParams(params).toString();
  const subject = (logicalId: string, label: string, event: ColdSubject['event'], extra: { env?: Record<string, string>; name?: string; bundle?: string } = {}): ColdSubject => ({
    name: extra.name ?? logicalId,
    logicalId,
    bundle: extra.bundle ?? bundle(logicalId),
    label,
    event,
    env: functionEnv(logicalId, { ...endpoints, ...extra.env }),
  });
  const tokenEvent = tokenExchangeEvent(token);
  const acsEvent = samlAcsEvent(samlResponse);
  const whatIf = [
    subject('TokenFunction', 'no pre-validated config: config.mjs validates it [+ config.mjs]', tokenEvent, { env: { BROKER_CONFIG: configs.unvalidated }, name: 'TokenFunction, config validated' }),
    subject('SamlFunction', 'no pre-validated config: config.mjs validates it [+ config.mjs]', acsEvent, { env: { BROKER_CONFIG: configs.unvalidated }, name: 'SamlFunction, config validated' }),
    subject('TokenFunction', 'sealingSecret: ssm:/… (aws-full.mjs, GetParameters)', tokenEvent, { env: { BROKER_CONFIG: configs.ssm }, name: 'TokenFunction, ssm: secret' }),
    subject('SamlFunction', 'sealingSecret: ssm:/… (aws-full.mjs, GetParameters)', acsEvent, { env: { BROKER_CONFIG: configs.ssm }, name: 'SamlFunction, ssm: secret' }),
    subject('TokenFunction', 'NODE_OPTIONS=--enable-source-maps', tokenEvent, { env: { NODE_OPTIONS: '--enable-source-maps' }, name: 'TokenFunction, source maps on' }),
    subject('SamlFunction', 'NODE_OPTIONS=--enable-source-maps', acsEvent, { env: { NODE_OPTIONS: '--enable-source-maps' }, name: 'SamlFunction, source maps on' }),
    // Tracing=true: Powertools Tracer and the X-Ray SDK (tracing.mjs) loaded and enabled, segments sent to an X-Ray
    // daemon address on loopback (UDP, nothing listens). Not under `sam local` (the Tracer turns itself off there):
    // without AWS_LAMBDA_FUNCTION_NAME the local config's dev keys are still accepted.
    subject('TokenFunction', 'Tracing=true (Powertools Tracer, X-Ray SDK) [+ tracing.mjs]', tokenEvent, { env: { ...TRACING_ENV }, name: 'TokenFunction, tracing on' }),
    subject('SamlFunction', 'Tracing=true (Powertools Tracer, X-Ray SDK) [+ tracing.mjs]', acsEvent, { env: { ...TRACING_ENV }, name: 'SamlFunction, tracing on' }),
    subject('TokenFunction', 'BROKER_METRICS=off (no EMF lines)', tokenEvent, { env: { BROKER_METRICS: 'off' }, name: 'TokenFunction, metrics off' }),
  ];
  const functionSubjects = [
      subject('TokenFunction', 'POST /token (ID token → AssumeRole)', tokenEvent),
      subject('TokenFunction', 'POST /token (SAML response → AssumeRole)', samlTokenExchangeEvent(samlResponse), { name: 'TokenFunction, saml2 token' }),
      subject('SamlFunction', 'POST /saml/acs (→ role picker)', acsEvent),
      subject('RolesFunction', 'POST /roles', httpEvent('POST /roles', { body: form({ subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }) })),
      subject('WebFunction', 'GET /', httpEvent('GET /')),
      subject('IssuerFunction', 'GET /.well-known/openid-configuration', httpEvent('GET /.well-known/openid-configuration')),
      subject('SessionFunction', 'POST /session, no ticket (→ 400 page)', httpEvent('POST /session', { body: '' })),
      subject('OidcFunction', 'GET /oidc/login, unknown provider (→ 400 page)', httpEvent('GET /oidc/login', { query: 'provider=bench-unknown' })),
      subject('CliFunction', 'POST /cli/revoke, not a session (→ 200)', httpEvent('POST /cli/revoke', { body: form({ token: 'bench-not-a-session' }) })),
  ];
  // The baseline's functions that exist there, each with that commit's own local config (its schema may differ).
  const baselineConfig = baselineDir === undefined ? '' : resolve(baselineDir, '..', 'src', 'config', 'broker.local.yaml');
  const baselinePairs =
    baselineDir === undefined
      ? []
      : functionSubjects
          .map((s) => ({ after: s, before: { ...s, name: `${s.name} @${args.baseline}`, bundle: resolve(baselineDir, s.logicalId, basename(s.bundle)), env: { ...s.env, BROKER_CONFIG: baselineConfig } } }))
          .filter((pair) => existsSync(pair.before.bundle));
  const baselineSubjects = baselinePairs.map((pair) => pair.before);
  return {
    baseline: new Map(baselinePairs.map((pair) => [pair.after.name, pair.before.name])),
    subjects: [
      { name: 'trivial handler', logicalId: 'TokenFunction', bundle: builds.trivial.file, label: 'returns 200', event: httpEvent('GET /'), env: functionEnv('TokenFunction', endpoints) },
      { name: 'floor: jose + STS', logicalId: 'TokenFunction', bundle: builds.coldFloor.file, label: 'jwtVerify + one AssumeRole', event: tokenEvent, env: functionEnv('TokenFunction', endpoints) },
      ...functionSubjects,
      ...whatIf,
      ...baselineSubjects,
    ],
    whatIf: new Set([...whatIf, ...baselineSubjects].map((s) => s.name)),
  };
};

// ---------------------------------------------------------------------------------------------------- many accounts

type AccountsFormat = 'json' | 'yaml' | 'yamlWithFile' | 'prevalidated' | 'checkConfig';

interface AccountsFigures {
  readonly cold: Record<AccountsFormat, { readonly ms: Summary; readonly cpuMs: Summary; readonly parseMs: Summary; readonly validateMs: Summary; readonly roles: number; readonly rules: number; readonly accounts: number }>;
  readonly warm: { readonly all: Summary; readonly one: Summary; readonly granted: number; readonly traceLines: number; readonly traceRules: number };
}

/** The config of accounts-config.ts as JSON and YAML; each loaded in fresh processes, then decided on warm. */
const measureAccounts = async (): Promise<AccountsFigures> => {
  const dir = resolve(WORK, 'accounts');
  await mkdir(dir, { recursive: true });
  const document = benchConfigDocument();
  const files: Record<AccountsFormat, string> = { json: resolve(dir, 'broker.json'), yaml: resolve(dir, 'broker.yaml'), yamlWithFile: resolve(dir, 'broker-with-file.yaml'), prevalidated: resolve(dir, 'broker-with-file.yaml'), checkConfig: resolve(dir, 'broker.json') };
  await writeFile(files.json, JSON.stringify(document));
  await writeFile(files.yaml, stringify(document));
  await writeFile(files.yamlWithFile, stringify(benchConfigWithFile('accounts.json')));
  await writeFile(resolve(dir, 'accounts.json'), JSON.stringify(organizationsDocument(), null, 2));
  const env = functionEnv('TokenFunction');
  // The pre-validated copy of the YAML + accountsFile config, as npm run build writes it (here by the source's validator).
  await runWorker('tools/bench/accounts.ts', ['prevalidate', files.prevalidated], env);
  const cold = {} as AccountsFigures['cold'];
  for (const format of ['json', 'yaml', 'yamlWithFile', 'prevalidated', 'checkConfig'] as const) {
    const runs: Array<{ ms: number; cpuMs: number; parseMs: number; validateMs: number; roles: number; rules: number; accounts: number }> = [];
    const mode = format === 'checkConfig' ? 'check' : format === 'prevalidated' ? 'prevalidated' : 'cold';
    for (let i = 0; i < PLAN.accountsRounds; i++) runs.push((await runWorker('tools/bench/accounts.ts', [mode, files[format]], env)) as (typeof runs)[number]);
    cold[format] = {
      ms: summarise(runs.map((r) => r.ms)),
      cpuMs: summarise(runs.map((r) => r.cpuMs)),
      parseMs: summarise(runs.map((r) => r.parseMs)),
      validateMs: summarise(runs.map((r) => r.validateMs)),
      roles: runs[0]?.roles ?? 0,
      rules: runs[0]?.rules ?? 0,
      accounts: runs[0]?.accounts ?? 0,
    };
  }
  const warm = (await runWorker('tools/bench/accounts.ts', ['warm', files.json, String(PLAN.accountsSamples)], env)) as AccountsFigures['warm'];
  return { cold, warm };
};

const accountsLines = (a: AccountsFigures): string[] => [
  '',
  `Many accounts — ${a.cold.json.accounts} accounts × 10 role templates = ${a.cold.json.roles} role instances, ${a.cold.json.rules} rules (tools/bench/accounts-config.ts); ms, median (min–max)`,
  ...table(
    ['', '>time', '>read + parse', '>validate + compile', '>CPU ms'],
    [
      [`config load at cold start: JSON, accounts inline (fresh process each; n=${a.cold.json.ms.n})`, ms(a.cold.json.ms), fixed(a.cold.json.parseMs.median), fixed(a.cold.json.validateMs.median), fixed(a.cold.json.cpuMs.median)],
      ['config load at cold start: YAML rules + accountsFile (Organizations JSON)', ms(a.cold.yamlWithFile.ms), fixed(a.cold.yamlWithFile.parseMs.median), fixed(a.cold.yamlWithFile.validateMs.median), fixed(a.cold.yamlWithFile.cpuMs.median)],
      ['  the same with its pre-validated copy (npm run build): read it, expand, compile', ms(a.cold.prevalidated.ms), fixed(a.cold.prevalidated.parseMs.median), fixed(a.cold.prevalidated.validateMs.median), fixed(a.cold.prevalidated.cpuMs.median)],
      ['  what if: YAML with the 1,000 accounts inline (js-yaml parses 170 KB)', ms(a.cold.yaml.ms), fixed(a.cold.yaml.parseMs.median), fixed(a.cold.yaml.validateMs.median), fixed(a.cold.yaml.cpuMs.median)],
      ['check-config: the same JSON with its warnings (shadowed rules, patterns that match nothing, …)', ms(a.cold.checkConfig.ms), fixed(a.cold.checkConfig.parseMs.median), fixed(a.cold.checkConfig.validateMs.median), fixed(a.cold.checkConfig.cpuMs.median)],
      [`one decision, warm: every granted role (POST /roles, ${a.warm.granted} granted; n=${a.warm.all.n})`, ms(a.warm.all), '', '', ''],
      [`one decision, warm: one role by id (POST /token; n=${a.warm.one.n})`, ms(a.warm.one), '', '', ''],
    ],
  ),
  `  explain of the first decision: ${a.warm.traceLines} lines for ${a.warm.traceRules} rules (one entry per rule, not per role instance)`,
];

const accountsTargets = (a: AccountsFigures): Target[] => {
  const decision = Math.max(a.warm.all.median, a.warm.one.median);
  const load = Math.max(a.cold.json.ms.median, a.cold.yamlWithFile.ms.median);
  return [
    { name: 'many accounts: one decision warm, median (POST /roles and POST /token)', figure: `${fixed(decision)} ms`, target: `≤ ${TARGETS.accountsDecisionMs} ms`, met: decision <= TARGETS.accountsDecisionMs },
    { name: 'many accounts: config load + validation at cold start, median (JSON; YAML + accountsFile)', figure: `${fixed(load)} ms`, target: `≤ ${TARGETS.accountsLoadMs} ms`, met: load <= TARGETS.accountsLoadMs },
  ];
};

// ---------------------------------------------------------------------------------------------------- report

const cpuModel = (): string => {
  try {
    return /^model name[\t ]*:[\t ]*(\S.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

const fixed = (n: number): string => n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0);
const ms = (s: Summary): string => `${fixed(s.median)} (${fixed(s.min)}–${fixed(s.max)})`;
const ratio = (a: Summary, b: Summary): number => a.median / b.median;
const times = (r: number): string => `${r.toFixed(2)}×`;

/** Columns padded to their widest cell; a leading '>' in a header right-aligns the column. */
const table = (headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] => {
  const right = headers.map((h) => h.startsWith('>'));
  const head = headers.map((h) => h.replace(/^>/, ''));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
};

interface Target {
  readonly name: string;
  readonly figure: string;
  readonly target: string;
  readonly met: boolean;
}

const main = async (): Promise<void> => {
  const startedAt = new Date();
  if (!process.version.startsWith('v24.')) console.warn(`warning: the bench runs on Node ${process.version}; run it with npm run bench (Node 24)`);
  await mkdir(WORK, { recursive: true });
  const machine = { cpu: cpuModel(), cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}`, loadAverageAtStart: loadavg()[0] ?? 0 };
  console.log(`federation-broker bench — ${machine.cores} × ${machine.cpu}, Node ${machine.node}, ${startedAt.toISOString()}${args.quick ? ' (quick)' : ''}`);

  if (args.only === 'accounts') {
    console.log(`many accounts: ${PLAN.accountsRounds} cold loads per format, ${PLAN.accountsSamples} warm decisions …`);
    const accounts = await measureAccounts();
    const lines = accountsLines(accounts);
    lines.push('', 'Targets', ...table(['', '>measured', '>target', ''], accountsTargets(accounts).map((t) => [t.name, t.figure, t.target, t.met ? 'met' : 'NOT MET'])));
    console.log(lines.join('\n'));
    return;
  }

  console.log('building bundles (sam build settings from template.yaml), pre-validating the local config …');
  const configs = await configCopies();
  const builds = await buildAll(BUILD, [LOCAL_CONFIG, configs.ssm]);
  const { functions, trivial } = builds;
  const breakdownFile = async (logicalId: string, entryPoint: string) => [entryPoint, await breakdownOf(resolve(BUILD, `${logicalId}.meta.json`), entryPoint)] as const;
  const breakdown = Object.fromEntries(await Promise.all(functions.flatMap((b) => [b, ...b.onDemand].map((f) => breakdownFile(b.logicalId, f.entryPoint)))));

  console.log(`warm POST /token: ${PLAN.tokenSamples} requests each …`);
  const token = (await runWorker('tools/bench/warm-token.ts', [String(PLAN.tokenSamples)], functionEnv('TokenFunction'))) as { handler: Summary; floor: Summary; session: Summary; tokenBytes: number };
  console.log(`warm POST /saml/acs: ${PLAN.samlSamples} requests each …`);
  const saml = (await runWorker('tools/bench/warm-saml.ts', [String(PLAN.samlSamples)], functionEnv('SamlFunction'))) as { handler: Summary; samlify: Summary; nodeSaml: Summary; responseBytes: number };
  console.log(`adversarial SAML input: ${PLAN.samlCpuSamples} requests each …`);
  const adversarial = (await runWorker('tools/bench/saml-cpu.ts', [String(PLAN.samlCpuSamples)], functionEnv('SamlFunction'))) as SamlCpuRow[];
  const refused = adversarial.filter((r) => r.outcome !== 'accepted');
  const worstRefusal = refused.reduce((worst, r) => (r.cpu.median > worst.cpu.median ? r : worst), refused[0]!);

  console.log(`fbroker credentials, cache miss (against npm start) and warm cache: ${PLAN.fbrokerRounds} processes each …`);
  const fbroker = await benchFbroker(WORK, PLAN.fbrokerRounds);
  console.log(`many accounts: ${PLAN.accountsRounds} cold loads per format, ${PLAN.accountsSamples} warm decisions …`);
  const accounts = await measureAccounts();

  const tls = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
  const caFile = resolve(WORK, 'stub-ca.pem');
  await writeFile(caFile, tls.cert);
  let baselineDir: string | undefined;
  if (args.baseline !== undefined) {
    console.log(`building the bundles of ${args.baseline} (its own build tool) …`);
    baselineDir = await buildBaseline(args.baseline);
  }
  const stub = await startAwsStubServer({ key: tls.private, cert: tls.cert });
  let cold: Record<string, ColdSample[]>;
  let loads: Record<string, LoadedFile[]>;
  let plan: ColdPlan;
  try {
    plan = await coldPlan(builds, stub.url, caFile, configs, baselineDir);
    loads = await measureLoads(plan.subjects, WORK);
    console.log(`cold starts: ${PLAN.coldRounds} rounds × ${plan.subjects.length} processes …`);
    cold = await measureColdStarts(plan.subjects, PLAN.coldRounds, WORK);
  } finally {
    await stub.stop();
  }
  const coldSummary = Object.fromEntries(
    plan.subjects.map((s) => {
      const runs = cold[s.name]!;
      const summary = { label: s.label, whatIf: plan.whatIf.has(s.name), status: runs[0]?.status, total: summarise(runs.map((r) => r.total)), cpu: summarise(runs.map((r) => r.cpu)), import: summarise(runs.map((r) => r.import)), invoke: summarise(runs.map((r) => r.invoke)), wall: summarise(runs.map((r) => r.wall)) };
      return [s.name, summary] as const;
    }),
  );
  const base = coldSummary['trivial handler']!;
  const floorCold = coldSummary['floor: jose + STS']!;
  const loadedBytes = (name: string): number => (loads[name] ?? []).reduce((n, f) => n + f.bytes, 0);
  const loadedFiles = (name: string): string => (loads[name] ?? []).map((f) => f.file).join(' + ');

  const tokenRatio = ratio(token.handler, token.floor);
  const sessionRatio = ratio(token.session, token.handler);
  const samlVsSamlify = ratio(saml.handler, saml.samlify);
  const samlVsNodeSaml = ratio(saml.handler, saml.nodeSaml);
  const coldVsFloor = (name: string): number => ratio(coldSummary[name]!.total, floorCold.total);
  const worstOther = OTHER_FUNCTIONS.reduce((worst, id) => (coldVsFloor(id) > coldVsFloor(worst) ? id : worst), OTHER_FUNCTIONS[0]);
  const targets: Target[] = [
    { name: 'TokenFunction cold start ÷ floor (jose + STS)', figure: times(coldVsFloor('TokenFunction')), target: `≤ ${TARGETS.tokenColdVsFloor}×`, met: coldVsFloor('TokenFunction') <= TARGETS.tokenColdVsFloor },
    { name: 'SamlFunction cold start ÷ floor', figure: times(coldVsFloor('SamlFunction')), target: `≤ ${TARGETS.samlColdVsFloor}×`, met: coldVsFloor('SamlFunction') <= TARGETS.samlColdVsFloor },
    { name: `every other function's cold start ÷ floor (the highest: ${worstOther})`, figure: times(coldVsFloor(worstOther)), target: `≤ ${TARGETS.otherColdVsFloor}×`, met: coldVsFloor(worstOther) <= TARGETS.otherColdVsFloor },
    { name: `TokenFunction bundle, what a cold start loads (${loadedFiles('TokenFunction')})`, figure: kb(loadedBytes('TokenFunction')), target: `≤ ${kb(TARGETS.tokenLoaded)}`, met: loadedBytes('TokenFunction') <= TARGETS.tokenLoaded },
    { name: `SamlFunction bundle, what a cold start loads (${loadedFiles('SamlFunction')})`, figure: kb(loadedBytes('SamlFunction')), target: `≤ ${kb(TARGETS.samlLoaded)}`, met: loadedBytes('SamlFunction') <= TARGETS.samlLoaded },
    { name: '/token warm ÷ floor (jose jwtVerify + stubbed STS send)', figure: times(tokenRatio), target: `≤ ${TARGETS.tokenWarm}×`, met: tokenRatio <= TARGETS.tokenWarm },
    { name: 'ACS warm ÷ samlify no-op parse', figure: times(samlVsSamlify), target: `≤ ${TARGETS.samlWarmVsSamlify}×`, met: samlVsSamlify <= TARGETS.samlWarmVsSamlify },
    { name: '/token with a broker session, warm ÷ the ID-token row', figure: times(sessionRatio), target: `≤ ${TARGETS.sessionVsToken}×`, met: sessionRatio <= TARGETS.sessionVsToken },
    { name: 'ACS warm ÷ node-saml validatePostResponseAsync', figure: times(samlVsNodeSaml), target: `< ${TARGETS.samlWarmVsNodeSaml}×`, met: samlVsNodeSaml < TARGETS.samlWarmVsNodeSaml },
    ...accountsTargets(accounts),
    { name: `worst adversarial SAML input, CPU to the refusal, median (${worstRefusal.name})`, figure: `${fixed(worstRefusal.cpu.median)} ms`, target: `< ${TARGETS.samlRefusalCpuMs} ms`, met: refused.every((r) => r.cpu.median < TARGETS.samlRefusalCpuMs) },
  ];

  const lines: string[] = [];
  lines.push('', 'Warm, per request — ms, median (min–max)');
  lines.push(
    ...table(
      ['', '>time', '>ratio'],
      [
        [`token handler, POST /token (RS256 ID token, STS stub; n=${token.handler.n})`, ms(token.handler), times(tokenRatio)],
        ['  floor: jose jwtVerify + the same STS send (stub)', ms(token.floor), '1.00×'],
        [`token handler, POST /token with a broker session + DPoP proof (ES256; DynamoDB and STS stub; n=${token.session.n})`, ms(token.session), times(ratio(token.session, token.floor))],
        ['  ÷ the ID-token row', '', times(sessionRatio)],
        [`SAML ACS handler, POST /saml/acs (${(saml.responseBytes / 1000).toFixed(1)} KB signed response; n=${saml.handler.n})`, ms(saml.handler), times(samlVsSamlify)],
        ['  samlify parseLoginResponse, no-op schema validator', ms(saml.samlify), '1.00×'],
        ['  @node-saml/node-saml validatePostResponseAsync', ms(saml.nodeSaml), times(ratio(saml.nodeSaml, saml.samlify))],
      ],
    ),
  );
  lines.push('', `Adversarial SAML input — CPU ms per request to the refusal (validateSamlResponse, as POST /saml/acs and saml2 on /token run it), median (min–max) of ${PLAN.samlCpuSamples}`);
  lines.push(
    ...table(
      ['', 'attack', '>base64', 'outcome', '>CPU ms', `< ${TARGETS.samlRefusalCpuMs} ms`],
      adversarial.map((r) => [r.name, r.attack, kb(r.encodedBytes), r.outcome, ms(r.cpu), r.cpu.median < TARGETS.samlRefusalCpuMs ? 'yes' : 'NO']),
    ),
  );
  lines.push('', `fbroker (the end-user CLI, ${kb(fbroker[0]?.bytes ?? 0)} built) — ms from process start to exit, median (min–max) of ${PLAN.fbrokerRounds} processes`);
  lines.push(
    ...table(
      ['', '>time', '>÷ node -e 0'],
      fbroker.flatMap((f) => [
        [`fbroker credentials, warm cache (JSON from the cache), Node ${f.nodeVersion}`, ms(f.warm), times(ratio(f.warm, f.floor))],
        [`fbroker credentials, cache miss (session cached; one POST /token to npm start), Node ${f.nodeVersion}`, ms(f.miss), times(ratio(f.miss, f.floor))],
        [`  floor: node -e 0, Node ${f.nodeVersion}`, ms(f.floor), '1.00×'],
        [`  floor of a miss: one fetch() to npm start (node -e), Node ${f.nodeVersion}`, ms(f.fetchFloor), times(ratio(f.fetchFloor, f.floor))],
      ]),
    ),
  );
  lines.push(...accountsLines(accounts));
  const baselineNames = new Set(plan.baseline.values());
  const coldRows = (what: boolean): string[][] =>
    plan.subjects
      .filter((s) => plan.whatIf.has(s.name) === what && !baselineNames.has(s.name))
      .map((s) => {
        const c = coldSummary[s.name]!;
        return [s.name, `${s.label} [${c.status ?? '-'}]`, ms(c.total), fixed(c.import.median), fixed(c.invoke.median), times(ratio(c.total, base.total)), times(ratio(c.total, floorCold.total)), fixed(c.cpu.median), times(ratio(c.cpu, floorCold.cpu)), kb(loadedBytes(s.name))];
      });
  const coldHeaders = ['', 'event [status]', '>total', '>import', '>invoke', '>÷ trivial', '>÷ floor', '>CPU ms', '>CPU ÷ floor', '>loads'];
  lines.push('', `Cold start — ms from process start to the first response, median (min–max) of ${PLAN.coldRounds} fresh processes; loads: the bundle files it imported`);
  lines.push(...table(coldHeaders, coldRows(false)));
  lines.push('', 'What-if cold starts (settings outside the code: the deployed config, template.yaml parameters and environment)');
  lines.push(...table(coldHeaders, coldRows(true)));
  if (plan.baseline.size > 0) {
    const pct = (after: number, before: number): string => `${after >= before ? '+' : ''}${(((after - before) / before) * 100).toFixed(1)}%`;
    lines.push('', `Before/after, same run: cold start of ${args.baseline} (before) and of this tree (after), median of ${PLAN.coldRounds} each`);
    lines.push(
      ...table(
        ['', '>before total', '>after total', '>Δ total', '>before CPU', '>after CPU', '>Δ CPU'],
        [...plan.baseline].map(([after, before]) => {
          const a = coldSummary[after]!;
          const b = coldSummary[before]!;
          return [after, fixed(b.total.median), fixed(a.total.median), pct(a.total.median, b.total.median), fixed(b.cpu.median), fixed(a.cpu.median), pct(a.cpu.median, b.cpu.median)];
        }),
      ),
    );
  }
  const ROLE: Readonly<Record<string, string>> = {
    'config.mjs': 'the config validator: only without a pre-validated config',
    'aws.mjs': 'AWS clients: at the cold start',
    'aws-full.mjs': 'with SSM and KMS: instead of aws.mjs for ssm:/kms: configs',
    'saml2.mjs': 'on the first saml2 subject token',
    'tracing.mjs': 'Powertools Tracer and the X-Ray SDK: only with Tracing=true',
  };
  const known = ['AWS SDK', 'SAML / XML', 'YAML', 'zod', 'broker code'];
  const bundleRow = (label: string, f: { entryPoint: string; bytes: number; gzipBytes: number }): string[] => {
    const parts = breakdown[f.entryPoint] ?? {};
    const other = Object.entries(parts).reduce((sum, [k, v]) => (known.includes(k) ? sum : sum + v), 0);
    return [label, kb(f.bytes), kb(f.gzipBytes), ...known.map((k) => kb(parts[k] ?? 0)), kb(other)];
  };
  lines.push('', 'Bundles, as sam build makes them (KB = 1000 bytes); the last columns split the minified size by origin');
  lines.push(
    ...table(
      ['', '>minified', '>gzipped', '>AWS SDK', '>SAML/XML', '>YAML', '>zod', '>broker code', '>other'],
      [
        ...functions.flatMap((b) => [
          bundleRow(`${b.logicalId} (${basename(b.file)})`, b),
          ...b.onDemand.map((d) => bundleRow(`  + ${basename(d.file)} (${ROLE[basename(d.file)] ?? 'imported on demand'})`, d)),
        ]),
        ['trivial handler', kb(trivial.bytes), kb(trivial.gzipBytes)],
        ['floor: jose + STS client', kb(builds.coldFloor.bytes), kb(builds.coldFloor.gzipBytes)],
      ],
    ),
  );
  lines.push('', 'Targets');
  lines.push(...table(['', '>measured', '>target', ''], targets.map((t) => [t.name, t.figure, t.target, t.met ? 'met' : 'NOT MET'])));
  console.log(lines.join('\n'));

  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench${args.quick || args.baseline !== undefined ? ' --' : ''}${args.quick ? ' --quick' : ''}${args.baseline !== undefined ? ` --baseline ${args.baseline}` : ''}`,
    machine: { ...machine, loadAverageAtEnd: loadavg()[0] ?? 0 },
    plan: PLAN,
    warm: { token: { ...token, ratio: tokenRatio, sessionRatio }, saml: { ...saml, ratioVsSamlify: samlVsSamlify, ratioVsNodeSaml: samlVsNodeSaml } },
    samlAdversarial: adversarial,
    fbroker: fbroker.map((f) => ({ node: f.nodeVersion, warmCache: f.warm, cacheMiss: f.miss, nodeFloor: f.floor, fetchFloor: f.fetchFloor, ratio: ratio(f.warm, f.floor), missRatio: ratio(f.miss, f.floor), bytes: f.bytes })),
    accounts,
    cold: { rounds: PLAN.coldRounds, references: ['trivial handler', 'floor: jose + STS'], subjects: coldSummary, loads, baseline: args.baseline === undefined ? undefined : { rev: args.baseline, rows: Object.fromEntries(plan.baseline) } },
    bundles: Object.fromEntries(
      functions.map((b) => [
        b.logicalId,
        { bytes: b.bytes, gzipBytes: b.gzipBytes, breakdown: breakdown[b.entryPoint], onDemand: b.onDemand.map((d) => ({ file: basename(d.file), bytes: d.bytes, gzipBytes: d.gzipBytes, breakdown: breakdown[d.entryPoint] })) },
      ]),
    ),
    trivialBundle: { bytes: trivial.bytes, gzipBytes: trivial.gzipBytes },
    coldFloorBundle: { bytes: builds.coldFloor.bytes, gzipBytes: builds.coldFloor.gzipBytes },
    targets,
  };
  await writeFile(resolve(WORK, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten: .bench/results.json (load average ${machine.loadAverageAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end)`);
};

await main();
