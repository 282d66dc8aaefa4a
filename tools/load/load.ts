// `npm run load [-- --seconds 20 --concurrency 16 --replay-copies 50 --replay-rounds 10 --saml-pool N --json FILE]`
// A bounded, self-stopping load run against `npm start` on 127.0.0.1: sustained token exchanges (dev-static ID
// tokens → POST /token → the offline STS), unique SAML posts (dev-static-saml → POST /saml/acs, replay protection on
// dynalite), both mixed, and the same SAML response posted N times at once (exactly one may be accepted). Reports
// requests per second, p50/p99 latency and the broker process's memory (RSS start/end/peak from /proc, heap after a
// full GC through its inspector on loopback), then stops everything it started, by pid. Exit 1 on any error, any
// duplicate acceptance, or heap-after-GC growth over --max-heap-growth-mb.
// DynamoDB (dynalite) and STS (the offline emulator) run in this process, not in the broker's, so that the broker's
// memory is its own: both are `npm start` options (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_STS).

import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createReplayTable, startDynalite } from '../local/dynamo.ts';
import { startStsEmulator } from '../local/sts-emulator.ts';
import { idTokens, samlResponses } from './fixtures.ts';
import { connectInspector, type HeapProbe } from './inspect.ts';
import { codeOf, runClosedLoop, send, type Outcome, type ScenarioResult } from './run.ts';
import { startBroker, type BrokerProcess } from './server.ts';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    'replay-copies': { type: 'string', default: '50' },
    'replay-rounds': { type: 'string', default: '10' },
    'saml-pool': { type: 'string' },
    'max-heap-growth-mb': { type: 'string', default: '32' },
    json: { type: 'string' },
  },
});
const int = (name: keyof typeof args, min: number, max: number): number => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be an integer from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
};
const seconds = int('seconds', 1, 600);
const concurrency = int('concurrency', 1, 512);
const replayCopies = int('replay-copies', 2, 500);
const replayRounds = int('replay-rounds', 1, 100);
const maxGrowthMb = int('max-heap-growth-mb', 1, 4096);
// Unique SAML responses for the saml and mixed scenarios (~13 ms of signing each, made before the clock starts).
const samlPool = args['saml-pool'] === undefined ? Math.min(6000, 120 * seconds) : int('saml-pool', 10, 100_000);

// Self-stopping: whatever happens, nothing outlives this budget.
const budgetMs = (4 * seconds + replayRounds * 2 + 240) * 1000;
let broker: BrokerProcess | undefined;
const watchdog = setTimeout(() => {
  console.error(`load run exceeded its ${budgetMs / 1000} s budget: stopping`);
  void (broker?.stop() ?? Promise.resolve()).finally(() => process.exit(2));
}, budgetMs);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void (broker?.stop() ?? Promise.resolve()).finally(() => process.exit(130)));

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const log = (line: string): void => console.log(line);

const loadBefore = loadavg()[0] ?? NaN; // other work on the machine skews every figure: reported with them
const dynamo = await startDynalite();
const table = 'federation-broker-replay-load';
await createReplayTable(dynamo.endpoint, table);
const sts = await startStsEmulator();
const env: NodeJS.ProcessEnv = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ENDPOINT_URL_STS: sts.url, REPLAY_TABLE: table, POWERTOOLS_LOG_LEVEL: 'INFO' };
delete env.BROKER_CONFIG;

try {
  broker = await startBroker(env, { inspect: true });
  const url = broker.url;
  if (!broker.inspectorUrl) throw new Error('the broker started without its inspector');
  const probe: HeapProbe = await connectInspector(broker.inspectorUrl);
  log(`broker ${url} (pid ${broker.pid}); making ${samlPool + replayRounds + 100} SAML responses and 256 ID tokens…`);
  const tokens = await idTokens(256, 3600);
  const saml = await samlResponses(samlPool + replayRounds + 100, url, 3600);
  // The replay rounds' responses, set aside first: the SAML scenarios may use up the rest of the pool.
  const replayResponses = saml.splice(0, replayRounds);

  let t = 0;
  const tokenStep = (): Promise<Outcome> =>
    send(`${url}/token`, new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: tokens[t++ % tokens.length] ?? '', subject_token_type: 'urn:ietf:params:oauth:token-type:id_token', audience: 'dev-readonly' })).then(
      (r) => (r.status === 200 && r.body.includes('"AccessKeyId":"ASIA') ? { ok: true, label: '200' } : { ok: false, label: `${r.status} ${codeOf(r.body) ?? ''}`.trim() }),
    );
  const samlStep = (): Promise<Outcome> | undefined => {
    const response = saml.pop();
    if (response === undefined) return undefined;
    return send(`${url}/saml/acs`, new URLSearchParams({ SAMLResponse: response })).then((r) =>
      r.status === 200 && r.body.includes('name="ticket"') ? { ok: true, label: '200 picker' } : { ok: false, label: `${r.status} ${codeOf(r.body) ?? ''}`.trim() },
    );
  };
  let turn = 0;
  const mixedStep = (): Promise<Outcome> | undefined => (turn++ % 2 === 0 ? tokenStep() : samlStep());

  // Warm-up (not measured): module caches, JIT, keep-alive connections, the dev-static JWKS file.
  await runClosedLoop('warm-up', 2, concurrency, () => (turn++ % 2 === 0 ? tokenStep() : samlStep()));

  const samples: Array<{ at: number; rss: number }> = [];
  const sample = (): void => {
    const m = broker?.memory();
    if (m) samples.push({ at: performance.now(), rss: m.rss });
  };
  const heapStart = (await probe.measure()).heapUsed;
  const sampler = setInterval(sample, 250);
  sample();
  const memoryStart = samples.at(-1)?.rss ?? NaN;

  const results: Array<ScenarioResult & { rssStart: number; rssEnd: number; rssPeak: number; heapAfter: number }> = [];
  const measured = async (name: string, run: () => Promise<ScenarioResult>): Promise<void> => {
    sample();
    const from = samples.length - 1;
    const result = await run();
    sample();
    const window = samples.slice(from).map((s) => s.rss);
    const heapAfter = (await probe.measure()).heapUsed;
    results.push({ ...result, rssStart: window[0] ?? NaN, rssEnd: window.at(-1) ?? NaN, rssPeak: Math.max(...window), heapAfter });
    log(`  ${name}: ${result.requests} requests, ${result.rps.toFixed(1)}/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, heap after GC ${mb(heapAfter)}`);
  };

  await measured('token', () => runClosedLoop('token', seconds, concurrency, tokenStep));
  await measured('saml', () => runClosedLoop('saml', seconds, concurrency, samlStep));
  await measured('mixed', () => runClosedLoop('mixed', seconds, concurrency, mixedStep));

  // The same response posted replayCopies times at once, replayRounds times: exactly one acceptance per round.
  const rounds: Array<{ accepted: number; replays: number; other: number }> = [];
  await measured('replay', async () => {
    const latencies: number[] = [];
    const outcomes: Record<string, number> = {};
    const started = performance.now();
    for (let round = 0; round < replayRounds; round++) {
      const response = replayResponses[round] ?? '';
      const answers = await Promise.all(
        Array.from({ length: replayCopies }, async () => {
          const t0 = performance.now();
          const r = await send(`${url}/saml/acs`, new URLSearchParams({ SAMLResponse: response })).catch(() => ({ status: 0, body: '' }));
          latencies.push(performance.now() - t0);
          return r.status === 200 ? '200 picker' : `${r.status} ${codeOf(r.body) ?? ''}`.trim();
        }),
      );
      for (const a of answers) outcomes[a] = (outcomes[a] ?? 0) + 1;
      const accepted = answers.filter((a) => a === '200 picker').length;
      const replays = answers.filter((a) => a === '400 REPLAY_DETECTED').length;
      rounds.push({ accepted, replays, other: answers.length - accepted - replays });
    }
    const elapsed = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    const errors = rounds.reduce((n, r) => n + r.other + Math.abs(r.accepted - 1), 0);
    return { name: 'replay', requests: sorted.length, errors, seconds: elapsed, rps: sorted.length / elapsed, p50: sorted[Math.ceil(sorted.length / 2) - 1] ?? NaN, p99: sorted[Math.ceil(sorted.length * 0.99) - 1] ?? NaN, max: sorted.at(-1) ?? NaN, outcomes };
  });
  clearInterval(sampler);
  sample();

  const memoryEnd = samples.at(-1)?.rss ?? NaN;
  const memoryPeak = Math.max(...samples.map((s) => s.rss));
  const hwm = broker.memory()?.peak ?? NaN;
  const heapEnd = results.at(-1)?.heapAfter ?? NaN;
  probe.close();
  const growthMb = (heapEnd - heapStart) / 1024 / 1024;
  const duplicates = rounds.filter((r) => r.accepted !== 1).length;
  const errors = results.reduce((n, r) => n + r.errors, 0);

  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${mb(totalmem())} RAM, Node ${process.versions.node}, ${process.platform}; load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? NaN).toFixed(1)} after`;
  log('');
  log(`machine: ${machine}`);
  log(`command: npm run load -- --seconds ${seconds} --concurrency ${concurrency} --replay-copies ${replayCopies} --replay-rounds ${replayRounds}`);
  log('');
  log('| scenario | requests | rps | p50 ms | p99 ms | max ms | errors | RSS start → end (peak) | heap after GC | outcomes |');
  log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const outcomes = Object.entries(r.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ');
    log(`| ${r.name} | ${r.requests} | ${r.rps.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.errors} | ${mb(r.rssStart)} → ${mb(r.rssEnd)} (${mb(r.rssPeak)}) | ${mb(r.heapAfter)} | ${outcomes}${r.endedEarly ? ` (${r.endedEarly})` : ''} |`);
  }
  log('');
  log(`replay: ${replayRounds} rounds × ${replayCopies} concurrent posts of one response → accepted per round: [${rounds.map((r) => r.accepted).join(', ')}]`);
  log(`memory (broker RSS): start ${mb(memoryStart)}, end ${mb(memoryEnd)}, peak ${mb(memoryPeak)} (VmHWM ${mb(hwm)})`);
  log(`memory (broker heap after a full GC): start ${mb(heapStart)}, end ${mb(heapEnd)}, growth ${growthMb.toFixed(1)} MB (limit ${maxGrowthMb} MB)`);
  log(`STS emulator calls: ${sts.calls.length}`);

  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ machine, seconds, concurrency, replayCopies, replayRounds, results, rounds, memory: { rssStart: memoryStart, rssEnd: memoryEnd, rssPeak: memoryPeak, hwm, heapStart, heapEnd, samples: samples.length } }, null, 2)}\n`);
  }
  const failed = errors > 0 || duplicates > 0 || growthMb > maxGrowthMb;
  log(failed ? `FAILED: ${errors} error(s), ${duplicates} round(s) without exactly one acceptance, heap growth ${growthMb.toFixed(1)} MB` : 'OK: no errors, exactly one acceptance per replay round, memory within bounds');
  process.exitCode = failed ? 1 : 0;
} finally {
  await broker?.stop();
  await sts.stop();
  await dynamo.stop();
  clearTimeout(watchdog);
}
