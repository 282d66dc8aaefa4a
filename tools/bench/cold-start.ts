// Cold starts: a fresh Node 24 process per sample (node_modules/.bin/node) imports one bundle and handles one
// event, as a Lambda init + first invoke does. The runner takes its times from the process's own clock
// (performance.now() counts from process start): `total` = process start → first response, with `import`
// and `invoke` as its last two parts; the bench also keeps the parent's spawn → exit wall time. One more process
// per subject, untimed, lists the bundle files the cold start loaded (a module hook would cost the timed runs).

import { spawn } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROOT } from './events.ts';

export const NODE = resolve(ROOT, 'node_modules/.bin/node');

// Plain JavaScript, so that no TypeScript stripping happens in the measured process.
const RUNNER = `import { readFileSync, writeSync } from 'node:fs';
const [bundle, eventFile, functionName] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  callbackWaitsForEmptyEventLoop: true, functionName, functionVersion: '$LATEST', memoryLimitInMB: '1024',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + functionName, awsRequestId: 'bench-cold-start',
  logGroupName: '/aws/lambda/' + functionName, logStreamName: 'bench', getRemainingTimeInMillis: () => 15000,
};
const start = performance.now();
const { handler } = await import(bundle);
const imported = performance.now();
const result = await handler(event, context);
const done = performance.now();
const cpu = process.cpuUsage();
writeSync(3, JSON.stringify({ start, imported, done, cpu: (cpu.user + cpu.system) / 1000, status: result && result.statusCode }) + '\\n');
process.exit(0);
`;

// The same cold start, recording every file module it loads.
const LOADS_RUNNER = `import { readFileSync, writeSync } from 'node:fs';
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { if (url.startsWith('file:')) loaded.push(url); return next(url, context); } });
const [bundle, eventFile, functionName] = process.argv.slice(2);
const { handler } = await import(bundle);
await handler(JSON.parse(readFileSync(eventFile, 'utf8')), { functionName, awsRequestId: 'bench-cold-start', getRemainingTimeInMillis: () => 15000 });
writeSync(3, JSON.stringify(loaded) + '\\n');
process.exit(0);
`;

export interface ColdSubject {
  readonly name: string;
  /** The logical ID whose BuildProperties and environment apply (the trivial handler borrows TokenFunction's). */
  readonly logicalId: string;
  readonly bundle: string;
  readonly event: APIGatewayProxyEventV2;
  readonly label: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface ColdSample {
  /** Process start → first response (ms, the child's clock). */
  readonly total: number;
  readonly import: number;
  readonly invoke: number;
  /** CPU time of the process (all its threads) up to the first response (ms): steadier than wall time on a busy machine. */
  readonly cpu: number;
  /** spawn → exit as the parent saw it (ms). */
  readonly wall: number;
  readonly status: number | undefined;
}

const spawnRunner = (subject: ColdSubject, runner: string, eventFile: string) =>
  spawn(NODE, [runner, pathToFileURL(subject.bundle).href, eventFile, subject.logicalId], {
    cwd: ROOT,
    env: subject.env,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });

const once = (subject: ColdSubject, runner: string, eventFile: string): Promise<ColdSample> =>
  new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawnRunner(subject, runner, eventFile);
    let out = '';
    let err = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = performance.now() - started;
      if (code !== 0 || out === '') {
        reject(new Error(`${subject.name}: cold-start run exited ${code}\n${err}`));
        return;
      }
      const t = JSON.parse(out) as { start: number; imported: number; done: number; cpu: number; status?: number };
      resolvePromise({ total: t.done, import: t.imported - t.start, invoke: t.done - t.imported, cpu: t.cpu, wall, status: t.status });
    });
  });

export interface LoadedFile {
  readonly file: string;
  readonly bytes: number;
}

/** The bundle files (beside the subject's bundle) a cold start of `subject` loads, each with its size. */
const loadsOf = (subject: ColdSubject, runner: string, eventFile: string): Promise<LoadedFile[]> =>
  new Promise((resolvePromise, reject) => {
    const probe = spawnRunner(subject, runner, eventFile);
    let out = '';
    probe.stdio[3]?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    probe.on('error', reject);
    probe.on('exit', (code) => {
      if (code !== 0 || out === '') {
        reject(new Error(`${subject.name}: the loads run exited ${code}`));
        return;
      }
      const dir = pathToFileURL(dirname(subject.bundle)).href;
      const files = (JSON.parse(out) as string[]).filter((url) => url.startsWith(`${dir}/`)).map((url) => url.slice(dir.length + 1));
      void Promise.all(files.map(async (file) => ({ file, bytes: (await stat(resolve(dirname(subject.bundle), file))).size }))).then(resolvePromise, reject);
    });
  });

const eventFilesOf = async (subjects: readonly ColdSubject[], workDir: string): Promise<Map<string, string>> => {
  await mkdir(resolve(workDir, 'events'), { recursive: true });
  const eventFiles = new Map<string, string>();
  for (const subject of subjects) {
    const file = resolve(workDir, 'events', `${subject.name.replace(/[^\w.-]+/g, '_')}.json`);
    await writeFile(file, JSON.stringify(subject.event));
    eventFiles.set(subject.name, file);
  }
  return eventFiles;
};

/** What each subject's cold start loads: one untimed process per subject. */
export const measureLoads = async (subjects: readonly ColdSubject[], workDir: string): Promise<Record<string, LoadedFile[]>> => {
  const runner = resolve(workDir, 'cold-start-loads.mjs');
  await writeFile(runner, LOADS_RUNNER);
  const eventFiles = await eventFilesOf(subjects, workDir);
  const loads: Record<string, LoadedFile[]> = {};
  for (const subject of subjects) loads[subject.name] = await loadsOf(subject, runner, eventFiles.get(subject.name)!);
  return loads;
};

/** Runs every subject `rounds` times, one process at a time, rotating the order every round. */
export const measureColdStarts = async (subjects: readonly ColdSubject[], rounds: number, workDir: string): Promise<Record<string, ColdSample[]>> => {
  const runner = resolve(workDir, 'cold-start-runner.mjs');
  await writeFile(runner, RUNNER);
  const eventFiles = await eventFilesOf(subjects, workDir);
  const samples: Record<string, ColdSample[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % subjects.length;
    for (const subject of [...subjects.slice(shift), ...subjects.slice(0, shift)]) {
      samples[subject.name]!.push(await once(subject, runner, eventFiles.get(subject.name)!));
    }
  }
  return samples;
};
