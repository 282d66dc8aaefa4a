// JSON stricter than JSON.parse, for token headers and claims and for request bodies: a duplicate member name is
// refused (JSON.parse keeps the last one, another parser may keep the first, so the same bytes could mean two
// things), and so is nesting deeper than MAX_DEPTH. Only a JSON object is accepted.

/** Deep enough for any real claim set; shallow enough that walking it can never exhaust the stack. */
export const MAX_DEPTH = 32;

type Frame = { readonly keys: Set<string> | undefined; expectKey: boolean };

/** Index just past the string literal that starts at `start` (a `"`). The text is already known to be valid JSON. */
const endOfString = (text: string, start: number): number => {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
};

type Flaw = 'repeated-member' | 'too-deep';

/** Walks valid JSON text for a repeated member name within one object or nesting deeper than MAX_DEPTH. */
const flawOf = (text: string): Flaw | undefined => {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) return 'too-deep';
      stack.push({ keys: c === '{' ? new Set() : undefined, expectKey: c === '{' });
      i += 1;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i += 1;
    } else if (c === ',') {
      if (top?.keys) top.expectKey = true;
      i += 1;
    } else if (c === '"') {
      const end = endOfString(text, i);
      if (top?.keys && top.expectKey) {
        // Unescaped: "a" and "\u0061" are the same member. Without a backslash the text between the quotes is the name.
        const raw = text.slice(i + 1, end - 1);
        const name = raw.includes('\\') ? (JSON.parse(text.slice(i, end)) as string) : raw;
        if (top.keys.has(name)) return 'repeated-member';
        top.keys.add(name);
        top.expectKey = false;
      }
      i = end;
    } else {
      i += 1;
    }
  }
  return undefined;
};

export type StrictJson = { readonly value: Record<string, unknown> } | { readonly error: 'syntax' | 'not-an-object' | Flaw };

/** The JSON object in `text`, or why it is refused. */
export const readJsonObject = (text: string): StrictJson => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'syntax' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not-an-object' };
  const flaw = flawOf(text);
  return flaw === undefined ? { value: value as Record<string, unknown> } : { error: flaw };
};

/** The JSON object in `text`, or undefined for anything refused (see readJsonObject). */
export const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  const read = readJsonObject(text);
  return 'value' in read ? read.value : undefined;
};
