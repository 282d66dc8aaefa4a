// Session parameters for one granted role: templates rendered, values sanitised for STS, duration negotiated.

import { getClaim } from './claim-sets.ts';
import { negotiateDuration, type DurationBound } from './duration.ts';
import { HASH_SUFFIX_HEX, sanitiseIdentity, sanitiseTagValue } from './sanitise.ts';
import { renderTemplate } from './template.ts';
import type { Claims, RoleDef, SessionSpec } from './types.ts';

export interface SessionParams {
  readonly name: string;
  readonly sourceIdentity?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTags: readonly string[];
  readonly policyArns: readonly string[];
  /** Minified inline session policy JSON. */
  readonly policy?: string | undefined;
  readonly durationSeconds: number;
  readonly durationBoundBy: DurationBound;
}

export type SessionFailureCode =
  | 'MISSING_CLAIM'
  | 'MULTI_VALUED_CLAIM'
  | 'SESSION_NAME_INVALID'
  | 'SOURCE_IDENTITY_INVALID'
  | 'SESSION_TOO_SHORT';

export type SessionResult =
  /** `notes`: what was changed to make the values legal for STS (for `explain`; never a claim value). */
  | { readonly ok: true; readonly session: SessionParams; readonly notes: readonly string[] }
  | { readonly ok: false; readonly code: SessionFailureCode; readonly detail: string };

export interface SessionInput {
  readonly role: RoleDef;
  readonly spec: SessionSpec | undefined;
  readonly claims: Claims;
  readonly requestedSeconds?: number | undefined;
  readonly defaultSeconds: number;
  readonly idpSecondsLeft?: number | undefined;
  readonly sessionSecondsLeft?: number | undefined;
}

type IdentityResult = { ok: true; value: string; changed: boolean } | { ok: false; code: SessionFailureCode; detail: string };

const identityValue = (template: string, claims: Claims, field: 'name' | 'sourceIdentity'): IdentityResult => {
  const rendered = renderTemplate(template, claims, 'single');
  if (!rendered.ok) {
    const code = rendered.reason === 'missing' ? 'MISSING_CLAIM' : 'MULTI_VALUED_CLAIM';
    return { ok: false, code, detail: `session ${field} needs claim "${rendered.claim}" (${rendered.reason})` };
  }
  const value = sanitiseIdentity(rendered.value);
  if (value === undefined) {
    const code = field === 'name' ? 'SESSION_NAME_INVALID' : 'SOURCE_IDENTITY_INVALID';
    return { ok: false, code, detail: `session ${field} is shorter than 2 characters` };
  }
  return { ok: true, value, changed: value !== rendered.value };
};

export const buildSession = (input: SessionInput): SessionResult => {
  const { spec, claims } = input;
  const nameTemplate = spec?.name ?? (getClaim(claims, 'sub').length > 0 ? '${sub}' : undefined);
  if (nameTemplate === undefined) return { ok: false, code: 'MISSING_CLAIM', detail: 'no session name template and no "sub" claim' };
  const name = identityValue(nameTemplate, claims, 'name');
  if (!name.ok) return name;
  const notes: string[] = [];
  const hashed = (field: string): string => `${field} made legal for STS: it ends in "-" + ${HASH_SUFFIX_HEX} hex characters of the SHA-256 of the value`;
  if (name.changed) notes.push(hashed('session name'));

  let sourceIdentity: string | undefined;
  if (spec?.sourceIdentity !== undefined) {
    const si = identityValue(spec.sourceIdentity, claims, 'sourceIdentity');
    if (!si.ok) return si;
    sourceIdentity = si.value;
    if (si.changed) notes.push(hashed('source identity'));
  }

  const tags: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, template] of Object.entries(spec?.tags ?? {})) {
    const rendered = renderTemplate(template, claims, 'joined');
    // A missing claim omits the tag rather than denying: tags are attributes, not identity.
    if (rendered.ok) tags[key] = sanitiseTagValue(rendered.value);
  }
  const transitiveTags = (spec?.transitiveTags ?? []).filter((key) => Object.hasOwn(tags, key));

  const duration = negotiateDuration({
    requestedSeconds: input.requestedSeconds,
    defaultSeconds: input.defaultSeconds,
    ruleMaxSeconds: spec?.maxSeconds,
    roleMaxSeconds: input.role.maxSessionSeconds,
    issuance: input.role.issuance,
    idpSecondsLeft: input.idpSecondsLeft,
    sessionSecondsLeft: input.sessionSecondsLeft,
  });
  if (!duration.ok) {
    return { ok: false, code: 'SESSION_TOO_SHORT', detail: `session of ${duration.seconds} s (bound by ${duration.boundBy}) is under 900 s` };
  }

  return {
    ok: true,
    notes,
    session: {
      name: name.value,
      sourceIdentity,
      tags: { ...tags },
      transitiveTags,
      policyArns: [...(spec?.policyArns ?? [])],
      policy: spec?.policy === undefined ? undefined : JSON.stringify(spec.policy),
      durationSeconds: duration.seconds,
      durationBoundBy: duration.boundBy,
    },
  };
};
