// What STS accepts (the AssumeRole / AssumeRoleWithWebIdentity API reference), as checks on the inputs the broker
// sent through aws-sdk-client-mock. Tag lengths are counted both in code points (as the API models count them) and
// in UTF-16 units (as the STS emulator, and conservatively STS, count them).

import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { BrokerUnderTest } from './security-broker.ts';

/** RoleSessionName and SourceIdentity: `[\w+=,.@-]`, 2–64 (ASCII \w: no `u` flag). */
export const STS_NAME = /^[\w+=,.@-]{2,64}$/;
export const STS_TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
export const STS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

export interface StsInput {
  readonly RoleArn?: string | undefined;
  readonly RoleSessionName?: string | undefined;
  readonly SourceIdentity?: string | undefined;
  readonly DurationSeconds?: number | undefined;
  readonly Tags?: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined;
  readonly TransitiveTagKeys?: readonly string[] | undefined;
  readonly WebIdentityToken?: string | undefined;
}

/** Every STS call since the last reset, whatever its kind. */
export const stsInputs = (broker: BrokerUnderTest): StsInput[] => [
  ...broker.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input as StsInput),
  ...broker.sts.commandCalls(AssumeRoleWithWebIdentityCommand).map((c) => c.args[0].input as StsInput),
];

/** The session tags and source identity a web-identity token carries (its payload, unverified: we minted it). */
export const webIdentityClaims = (token: string): { tags: Record<string, string[]>; transitive: string[]; sourceIdentity?: string } => {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  const tags = (payload['https://aws.amazon.com/tags'] ?? {}) as { principal_tags?: Record<string, string[]>; transitive_tag_keys?: string[] };
  const sourceIdentity = payload['https://aws.amazon.com/source_identity'];
  return { tags: tags.principal_tags ?? {}, transitive: tags.transitive_tag_keys ?? [], ...(typeof sourceIdentity === 'string' ? { sourceIdentity } : {}) };
};

/** Asserts that one STS input carries only values STS accepts. */
export const expectLegalStsInput = (input: StsInput): void => {
  expect(input.RoleSessionName).toMatch(STS_NAME);
  if (input.SourceIdentity !== undefined) expect(input.SourceIdentity).toMatch(STS_NAME);
  if (input.DurationSeconds !== undefined) {
    expect(input.DurationSeconds).toBeGreaterThanOrEqual(900);
    expect(input.DurationSeconds).toBeLessThanOrEqual(43_200);
  }
  const tags = input.Tags ?? [];
  expect(tags.length).toBeLessThanOrEqual(50);
  const keys = tags.map((t) => t.Key ?? '');
  for (const tag of tags) {
    expect(tag.Key).toMatch(STS_TAG_KEY);
    expect(tag.Value).toMatch(STS_TAG_VALUE);
    expect(tag.Key?.length).toBeLessThanOrEqual(128);
    expect(tag.Value?.length).toBeLessThanOrEqual(256);
  }
  // Tag keys are case-insensitive in STS: two spellings of one key would be refused.
  expect(new Set(keys.map((k) => k.toLowerCase())).size).toBe(keys.length);
  for (const key of input.TransitiveTagKeys ?? []) expect(keys).toContain(key);
  if (input.WebIdentityToken !== undefined) {
    const claims = webIdentityClaims(input.WebIdentityToken);
    const names = Object.keys(claims.tags);
    expect(names.length).toBeLessThanOrEqual(50);
    for (const [key, values] of Object.entries(claims.tags)) {
      expect(key).toMatch(STS_TAG_KEY);
      expect(values).toHaveLength(1);
      for (const value of values) {
        expect(value).toMatch(STS_TAG_VALUE);
        expect(value.length).toBeLessThanOrEqual(256);
      }
    }
    for (const key of claims.transitive) expect(names).toContain(key);
    if (claims.sourceIdentity !== undefined) expect(claims.sourceIdentity).toMatch(STS_NAME);
  }
};
