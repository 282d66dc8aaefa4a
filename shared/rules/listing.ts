// Which role instances a rule's `roles:` pattern lists, for a policy of thousands (docs/performance.md). Instances of
// one `broker:role` are contiguous (a template's accounts, or one plain role). Account patterns are matched once per
// account, never once per instance, and each role keeps a table from account to its instance, so that
// `readonly@payments-*` costs as many steps as it has matches. Everything is built on first use.

import { likeMatcher } from './like.ts';
import { hasWildcard, parseRolePattern } from './targets.ts';
import type { RoleDef } from './types.ts';

export interface Listing {
  /** The index of the instance with this id. */
  indexOf(id: string): number | undefined;
  /** The indices of the instances with this ARN. */
  withArn(arn: string): readonly number[];
  /** Whether a pattern lists any instance (of the role `roleName`, when given). */
  listsAny(pattern: string, roleName?: string): boolean;
  /** The instances a pattern lists, ascending. */
  listedBy(pattern: string): Int32Array;
}

interface Range {
  readonly start: number;
  end: number;
}

/** A role with fewer instances than this is scanned rather than given an account table. */
const SMALL_ROLE = 32;

export const createListing = (ids: readonly string[], roles: readonly RoleDef[]): Listing => {
  const size = ids.length;
  const ranges = new Map<string, Range[]>();
  let current: Range | undefined;
  let currentName: string | undefined;
  for (let i = 0; i < size; i++) {
    const name = roles[i]?.role ?? ids[i] ?? '';
    if (current && name === currentName) {
      current.end = i + 1;
      continue;
    }
    current = { start: i, end: i + 1 };
    currentName = name;
    const list = ranges.get(name);
    if (list) list.push(current);
    else ranges.set(name, [current]);
  }

  let byId: Map<string, number> | undefined;
  const indexOf = (id: string): number | undefined => {
    byId ??= new Map(ids.map((instanceId, i) => [instanceId, i]));
    return byId.get(id);
  };
  let byArn: Map<string, number[]> | undefined;
  const withArn = (arn: string): readonly number[] => {
    if (!byArn) {
      byArn = new Map();
      for (let i = 0; i < size; i++) {
        const key = roles[i]?.arn ?? '';
        const same = byArn.get(key);
        if (same) same.push(i);
        else byArn.set(key, [i]);
      }
    }
    return byArn.get(arn) ?? [];
  };

  // Each instance's account as an index into `accountNames` ('' for no known account).
  let accountOf: Int32Array | undefined;
  const accountNames: string[] = [];
  const accounts = (): Int32Array => {
    if (accountOf) return accountOf;
    const seen = new Map<unknown, number>();
    accountOf = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const account = roles[i]?.account;
      let k = seen.get(account);
      if (k === undefined) {
        k = accountNames.length;
        seen.set(account, k);
        accountNames.push(account?.name ?? '');
      }
      accountOf[i] = k;
    }
    return accountOf;
  };
  // The account names sorted, for the common patterns: a name, `prefix*`, `*` (found by binary search, not a scan).
  let sorted: Array<[string, number]> | undefined;
  const sortedNames = (): Array<[string, number]> => (sorted ??= accountNames.map((name, k): [string, number] => [name, k]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const firstAtLeast = (names: ReadonlyArray<[string, number]>, text: string): number => {
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((names[mid]?.[0] ?? '') < text) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** The accounts (by index) a pattern names; and as flags. */
  const matched = new Map<string, { readonly list: Int32Array; readonly flags: Uint8Array }>();
  const accountsMatching = (pattern: string): { readonly list: Int32Array; readonly flags: Uint8Array } => {
    accounts();
    let found = matched.get(pattern);
    if (!found) {
      const flags = new Uint8Array(accountNames.length);
      const list: number[] = [];
      const prefix = /^([^*?]*)\*?$/.exec(pattern)?.[1];
      if (prefix !== undefined && !hasWildcard(prefix)) {
        // A literal name or `prefix*`: the sorted names that start with the prefix (and, for a literal, equal it).
        const names = sortedNames();
        for (let n = firstAtLeast(names, prefix); n < names.length; n++) {
          const [name = '', k = 0] = names[n] ?? [];
          if (!name.startsWith(prefix)) break;
          if (pattern.endsWith('*') || name === prefix) list.push(k);
        }
      } else {
        const matcher = likeMatcher(pattern);
        for (let k = 0; k < accountNames.length; k++) if (matcher(accountNames[k] ?? '')) list.push(k);
      }
      for (const k of list) flags[k] = 1;
      found = { list: Int32Array.from(list), flags };
      matched.set(pattern, found);
    }
    return found;
  };
  /** For a role with many instances: account index → its instance (-1: the role is not in that account). */
  const tables = new Map<string, Int32Array>();
  const tableOf = (name: string, list: readonly Range[]): Int32Array => {
    let table = tables.get(name);
    if (!table) {
      const of = accounts();
      table = new Int32Array(accountNames.length).fill(-1);
      for (const range of list) for (let i = range.start; i < range.end; i++) table[of[i] ?? 0] = i;
      tables.set(name, table);
    }
    return table;
  };

  /** Calls `found` with each instance the pattern lists (of `roleName`, when given), in no set order, until it returns true. */
  const each = (text: string, found: (i: number) => boolean, roleName?: string): void => {
    const pattern = parseRolePattern(text);
    if (pattern.kind === 'id') {
      // Plain ids (configs without accounts) are looked up, not scanned.
      if (!hasWildcard(pattern.id)) {
        const i = indexOf(pattern.id);
        if (i !== undefined && (roleName === undefined || (roles[i]?.role ?? ids[i]) === roleName)) found(i);
        return;
      }
      const matches = likeMatcher(pattern.id);
      const within = roleName === undefined ? [{ start: 0, end: size }] : (ranges.get(roleName) ?? []);
      for (const range of within) for (let i = range.start; i < range.end; i++) if (matches(ids[i] ?? '') && found(i)) return;
      return;
    }
    const role = likeMatcher(pattern.role);
    const wanted = accountsMatching(pattern.account);
    for (const [name, list] of ranges) {
      if ((roleName !== undefined && name !== roleName) || !role(name)) continue;
      const count = list.reduce((n, r) => n + r.end - r.start, 0);
      if (count < SMALL_ROLE) {
        const of = accounts();
        for (const range of list) for (let i = range.start; i < range.end; i++) if (wanted.flags[of[i] ?? 0] === 1 && found(i)) return;
        continue;
      }
      const table = tableOf(name, list);
      for (const k of wanted.list) {
        const i = table[k] ?? -1;
        if (i >= 0 && found(i)) return;
      }
    }
  };

  const listsAny = (text: string, roleName?: string): boolean => {
    let any = false;
    each(text, () => (any = true), roleName);
    return any;
  };

  const cache = new Map<string, Int32Array>();
  const listedBy = (text: string): Int32Array => {
    let listed = cache.get(text);
    if (!listed) {
      const out: number[] = [];
      each(text, (i) => {
        out.push(i);
        return false;
      });
      listed = Int32Array.from(out).sort();
      cache.set(text, listed);
    }
    return listed;
  };

  return { indexOf, withArn, listsAny, listedBy };
};
