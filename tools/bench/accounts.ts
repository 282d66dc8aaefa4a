// Bench worker (run by bench.ts, one process per measurement): the many-accounts config of accounts-config.ts.
//   node tools/bench/accounts.ts cold <config file>            load + validation in this fresh process (ms), as a cold start
//   node tools/bench/accounts.ts check <config file>           the same with check-config's warnings
//   node tools/bench/accounts.ts prevalidate <config file>     writes its pre-validated copy, as npm run build does
//   node tools/bench/accounts.ts prevalidated <config file>    a cold start's config step with that copy (ms)
//   node tools/bench/accounts.ts warm <config file> <samples>  one decision for one identity, warm (ms), and the trace
// Results on fd 3.

import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { buildConfig, completeConfig, loadConfigFile, parseConfigText, validateConfigText } from '../../shared/config/index.ts';
import { prevalidatedDocument, prevalidatedFileOf, sha256Hex } from '../../shared/config/prevalidated.ts';
import { identityInput } from '../../shared/identity/rules-input.ts';
import { explainText } from '../../shared/identity/explain.ts';
import { decide, STS_MAXIMUM, type Decision } from '../../shared/rules/index.ts';
import { BENCH_ROLE, benchClaims } from './accounts-config.ts';
import { report, sampleInterleaved, summarise } from './stats.ts';

const [mode = '', file = '', samplesText = '2000'] = process.argv.slice(2);

if (mode === 'cold' || mode === 'check') {
  // What a cold start does with the config (loadConfigFile, in two timed steps): read and parse the text, then
  // validate (schema, accounts, templates, checks) and compile.
  const cpu = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const cpuStart = cpu();
  const start = performance.now();
  const data = await parseConfigText(await readFile(file, 'utf8'), file);
  const parsed = performance.now();
  // As a function's cold start loads it (shared/compose/broker.ts): every error checked, warnings left to check-config.
  const config = await buildConfig(data, file, { resolveSecrets: false, warnings: mode === 'check' });
  const end = performance.now();
  report({ ms: end - start, cpuMs: cpu() - cpuStart, parseMs: parsed - start, validateMs: end - parsed, roles: Object.keys(config.roles).length, rules: config.rules.length, accounts: config.accounts.length, warnings: config.warnings.length });
} else if (mode === 'prevalidate') {
  const bytes = readFileSync(file);
  const result = await validateConfigText(bytes.toString('utf8'), file);
  await writeFile(prevalidatedFileOf(file), JSON.stringify(prevalidatedDocument(file, bytes, [], { config: result.config, warnings: result.warnings })));
  report({});
} else if (mode === 'prevalidated') {
  // What shared/compose/broker.ts does when the copy fits: the config's bytes hashed, the copy read, then the
  // catalogue expanded and the policy compiled (shared/config/resolve.ts completeConfig).
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const bytes = readFileSync(file);
  const document = JSON.parse(readFileSync(prevalidatedFileOf(file), 'utf8')) as { source: { sha256: string }; config: never; warnings: never };
  if (document.source.sha256 !== sha256Hex(bytes)) throw new Error('the pre-validated copy does not fit');
  const parsed = performance.now();
  const config = await completeConfig({ config: document.config, warnings: document.warnings }, file, { resolveSecrets: false });
  const end = performance.now();
  const usage = process.cpuUsage(cpuStart);
  report({ ms: end - start, cpuMs: (usage.user + usage.system) / 1000, parseMs: parsed - start, validateMs: end - parsed, roles: Object.keys(config.roles).length, rules: config.rules.length, accounts: config.accounts.length, warnings: config.warnings.length });
} else if (mode === 'warm') {
  const config = await loadConfigFile(file, { resolveSecrets: false });
  const raw = benchClaims();
  const at = new Date('2026-12-07T12:00:00Z');
  // As decideFor does it for POST /roles (every granted role) and POST /token (one role by id).
  const run = (role?: string): Decision => {
    const { malformedAsserted: _none, ...input } = identityInput(config, 'corp', raw, { sourceIp: '203.0.113.7', time: at });
    return decide({ policy: config.policy, provider: 'corp', ...input, role: role === undefined ? undefined : { id: role }, requestedSeconds: role === undefined ? STS_MAXIMUM : undefined, defaultSeconds: 3600 });
  };
  const listing = run();
  const one = run(BENCH_ROLE);
  if (listing.outcome !== 'grant' || one.outcome !== 'grant') throw new Error('the bench identity should be granted roles');
  const times = await sampleInterleaved(
    [
      { name: 'all', run: async () => run() },
      { name: 'one', run: async () => run(BENCH_ROLE) },
    ],
    { warmup: 200, samples: Number(samplesText), block: 50 },
  );
  const trace = explainText(listing);
  report({
    all: summarise(times.all ?? []),
    one: summarise(times.one ?? []),
    granted: listing.roles.length,
    traceLines: trace.split('\n').length,
    traceRules: listing.trace.length,
  });
} else {
  console.error('usage: node tools/bench/accounts.ts cold <config> | warm <config> <samples>');
  process.exitCode = 2;
}
