// What a config problem says: every schema refusal names what the field expects, in words an operator reads at a
// glance ("must be a whole number (got a string)"), never the bare "Invalid input" — and never the value itself,
// which may be a secret.

import type * as z from 'zod/mini';

type RawIssue = Parameters<NonNullable<z.core.$ZodConfig['customError']>>[0];

const TYPES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

const kindOf = (input: unknown): string => {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'number') return Number.isInteger(input) ? 'a whole number' : 'a number';
  if (typeof input === 'boolean') return 'true or false';
  return `a ${typeof input}`;
};

const bound = (origin: string, limit: number | bigint, inclusive: boolean | undefined, side: 'least' | 'most'): string => {
  const n = Number(limit);
  if (origin === 'string') return n === 1 && side === 'least' ? 'must not be empty' : `must be at ${side} ${n} characters`;
  if (origin === 'array') return `needs at ${side} ${n} item${n === 1 ? '' : 's'}`;
  if (origin === 'number' || origin === 'int') return inclusive === false ? `must be ${side === 'least' ? 'more' : 'less'} than ${n}` : `must be at ${side} ${n}`;
  return `is too ${side === 'least' ? 'small' : 'big'}`;
};

/** zod's customError: a message by issue code, or undefined to keep a message the schema set itself. */
export const describeIssue = (issue: RawIssue): string | undefined => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${TYPES[issue.expected] ?? issue.expected} (got ${kindOf(issue.input)})`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (check the spelling against docs/configuration.md)`;
    case 'too_small':
      return bound(issue.origin, issue.minimum, issue.inclusive, 'least');
    case 'too_big':
      return bound(issue.origin, issue.maximum, issue.inclusive, 'most');
    case 'invalid_union': {
      const { discriminator, options } = issue as unknown as { discriminator?: string; options?: unknown[] };
      if (discriminator !== undefined) return `must be ${(options ?? []).map((o) => JSON.stringify(o)).join(' or ')}`;
      return 'does not have any of the accepted shapes (see docs/configuration.md)';
    }
    case 'invalid_key':
      return 'has a key of the wrong form';
    case 'invalid_element':
      return 'has an entry of the wrong form';
    default:
      return undefined;
  }
};
