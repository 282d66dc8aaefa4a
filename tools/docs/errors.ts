// `npm run docs:errors`: regenerates the table of docs/errors.md from shared/errors.ts (the one source).

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERROR_TABLE } from '../../shared/errors.ts';

const file = resolve(import.meta.dirname, '../../docs/errors.md');
const BEGIN = '<!-- error-table:begin -->';
const END = '<!-- error-table:end -->';

export const errorTable = (): string => {
  const rows = Object.entries(ERROR_TABLE).map(([code, e]) => {
    const page = 'pageStatus' in e ? ` (page ${e.pageStatus})` : '';
    return `| \`${code}\` | ${e.status}${page} | \`${e.error}\` | ${e.description} |`;
  });
  return ['| code | HTTP status | `error` | meaning |', '|---|---|---|---|', ...rows].join('\n');
};

if (import.meta.main) {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`${file} lacks the ${BEGIN} / ${END} markers`);
  writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n${errorTable()}\n${text.slice(end)}`);
  console.log('docs/errors.md updated');
}
