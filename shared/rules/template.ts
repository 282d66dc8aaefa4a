// `${claim}` templates in session name, source identity and tag values (docs/rules.md, session parameters).

import { getClaim } from './claim-sets.ts';
import type { Claims } from './types.ts';

const PLACEHOLDER = /\$\{([^{}]+)\}/g;

/** Claim names a template refers to, for config checks. */
export const templateClaims = (template: string): string[] => [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');

export type Rendered =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'missing' | 'multi-valued'; readonly claim: string };

/**
 * `single` mode (name, source identity): every placeholder needs exactly one value.
 * `joined` mode (tags): several values are joined with `:`; a missing claim fails so the tag is omitted.
 */
export const renderTemplate = (template: string, claims: Claims, mode: 'single' | 'joined'): Rendered => {
  let failure: Rendered | undefined;
  const value = template.replace(PLACEHOLDER, (_match, name: string) => {
    const values = getClaim(claims, name);
    if (values.length === 0) failure ??= { ok: false, reason: 'missing', claim: name };
    else if (values.length > 1 && mode === 'single') failure ??= { ok: false, reason: 'multi-valued', claim: name };
    return values.join(':');
  });
  return failure ?? { ok: true, value };
};
