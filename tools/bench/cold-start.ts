// Cold starts: a fresh Node 24 process per sample (node_modules/.bin/node) imports one bundle and handles one
// event, as a Lambda init + first invoke does. The runner takes its times from the process's own clock
// (performance.now() counts from process start): `total` = process start → first response, with `import`
// and `invoke` as its last two parts; the bench also keeps the parent's spawn → exit wall time.

import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
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

const once = (subject: ColdSubject, runner: string, eventFile: string): Promise<ColdSample> =>
  new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(NODE, [runner, pathToFileURL(subject.bundle).href, eventFile, subject.logicalId], {
      cwd: ROOT,
      env: subject.env,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
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

/** Runs every subject `rounds` times, one process at a time, rotating the order every round. */
export const measureColdStarts = async (subjects: readonly ColdSubject[], rounds: number, workDir: string): Promise<Record<string, ColdSample[]>> => {
  await mkdir(resolve(workDir, 'events'), { recursive: true });
  const runner = resolve(workDir, 'cold-start-runner.mjs');
  await writeFile(runner, RUNNER);
  const eventFiles = new Map<string, string>();
  for (const subject of subjects) {
    const file = resolve(workDir, 'events', `${subject.name.replace(/[^\w.-]+/g, '_')}.json`);
    await writeFile(file, JSON.stringify(subject.event));
    eventFiles.set(subject.name, file);
  }
  const samples: Record<string, ColdSample[]> = Object.fromEntries(subjects.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % subjects.length;
    for (const subject of [...subjects.slice(shift), ...subjects.slice(0, shift)]) {
      samples[subject.name]!.push(await once(subject, runner, eventFiles.get(subject.name)!));
    }
  }
  return samples;
};
