// Bench worker (run by bench.ts in its own process): CPU per request for the adversarial SAML messages of
// saml-adversarial.ts, next to the normal signed response of the `dev-static-saml` provider, through
// validateSamlResponse — the validation POST /saml/acs and saml2 subject tokens on POST /token run. CPU is
// process.cpuUsage() (user + system, every thread: the garbage collector's included) around one call.
// Usage: node tools/bench/saml-cpu.ts <samples>   (result on fd 3)

import { readFileSync } from 'node:fs';
import { parseIdpMetadata } from '../../shared/saml/metadata.ts';
import type { SamlValidationContext } from '../../shared/saml/types.ts';
import { validateSamlResponse } from '../../shared/saml/validate.ts';
import { signDevSamlResponse } from '../events/generate.ts';
import { DEV } from './events.ts';
import { ADVERSARIAL_SAML } from './saml-adversarial.ts';
import { report, summarise, type Summary } from './stats.ts';

const samples = Number(process.argv[2] ?? 15);

export interface SamlCpuRow {
  readonly name: string;
  readonly attack: string;
  readonly encodedBytes: number;
  /** The stable code of the refusal, or 'accepted'. */
  readonly outcome: string;
  readonly cpu: Summary;
}

const now = new Date();
const context: SamlValidationContext = {
  providers: { 'dev-static-saml': { id: 'dev-static-saml', metadata: parseIdpMetadata(readFileSync(DEV.samlMetadataFile, 'utf8')), allowIdpInitiated: true, wantAssertionsSigned: false, allowSha1: false } },
  spEntityId: DEV.spEntityId,
  acsUrl: DEV.acsUrl,
  now,
  clockSkewSeconds: 60,
  maxAssertionAgeSeconds: 600,
  // Every check runs, the single-use claim included; it always succeeds so that one message can be posted again.
  replay: { claimOnce: async () => undefined },
};

const outcomeOf = async (samlResponse: string): Promise<string> => {
  try {
    await validateSamlResponse({ samlResponse }, context);
    return 'accepted';
  } catch (error) {
    return (error as { code?: string }).code ?? 'thrown';
  }
};

const measure = async (name: string, attack: string, samlResponse: string): Promise<SamlCpuRow> => {
  let outcome = '';
  for (let i = 0; i < 2; i++) outcome = await outcomeOf(samlResponse);
  const cpu: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = process.cpuUsage();
    await outcomeOf(samlResponse);
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { name, attack, encodedBytes: samlResponse.length, outcome, cpu: summarise(cpu) };
};

const valid = await signDevSamlResponse('alice', now, 3600);
const xml = Buffer.from(valid, 'base64').toString('utf8');
const rows: SamlCpuRow[] = [await measure('the normal signed response (Response and Assertion signed)', '—', valid)];
for (const { name, attack, mutate } of ADVERSARIAL_SAML) rows.push(await measure(name, attack, Buffer.from(mutate(xml)).toString('base64')));
if (rows[0]!.outcome !== 'accepted') throw new Error(`the normal response was refused: ${rows[0]!.outcome}`);

report(rows);
process.exit(0);
