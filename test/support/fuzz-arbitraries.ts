// fast-check arbitraries for hostile input: strings with the characters parsers trip on, bodies, content types,
// mutations of a valid text (byte flips, truncation, insertion), JOSE headers and claims, and event shapes.

import fc from 'fast-check';

/** Characters that matter to the decoders: delimiters, escapes, controls, look-alikes, surrogates, markup. */
const NASTY = ['', '=', '&', '%', '%00', '%zz', '+', '.', ':', '/', '\\', '"', "'", '<', '>', '\u0000', '\r\n', '\t', '\u202e', '\ufeff', '\ud800', '\udc00', '😀', 'а', 'ａ', '*', '?', '${x}', '__proto__', 'constructor', '[', ']', '{', '}', ',', ';', '#', '--', '<!DOCTYPE', ']]>', '&amp;', '\u2028'];

export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.array(fc.constantFrom(...NASTY), { maxLength: 8 }).map((parts) => parts.join('')),
  );

export const TOKEN_PARAMS = ['grant_type', 'subject_token', 'subject_token_type', 'resource', 'audience', 'duration_seconds', 'actor_token', 'requested_token_type', 'scope', '__proto__', 'constructor'];
export const TOKEN_VALUES = [
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:ietf:params:oauth:token-type:id_token',
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:saml2',
  'urn:federation-broker:token-type:aws-credentials',
  'arn:aws:iam::111122223333:role/DevReadOnly',
  'readonly',
  '900',
  '43200',
  '99999999',
  '-1',
  'eyJhbGciOiJub25lIn0.e30.',
  'PHNhbWxwOlJlc3BvbnNlLz4=',
];

const paramName = fc.oneof(fc.constantFrom(...TOKEN_PARAMS), nastyString(12));
const paramValue = fc.oneof(fc.constantFrom(...TOKEN_VALUES), nastyString(60), fc.base64String({ maxLength: 200 }));

/** A form body built from likely and unlikely names and values, sometimes with repeats. */
export const formBody: fc.Arbitrary<string> = fc
  .array(fc.tuple(paramName, paramValue, fc.boolean()), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k.toWellFormed())}=${encodeURIComponent(v.toWellFormed())}`)).join('&'));

/** A JSON body: an object of likely names, any JSON value, or text that is almost JSON. */
export const jsonBody: fc.Arbitrary<string> = fc.oneof(
  fc.dictionary(paramName, fc.oneof(paramValue, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 8 }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.nat(), nastyString(4)).map(([v, at, junk]) => {
    const text = JSON.stringify(v) ?? '';
    return text.slice(0, at % (text.length + 1)) + junk;
  }),
  fc.constant(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  fc.constant(`{"subject_token":"${'x'.repeat(300_000)}"}`),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    undefined,
    '',
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'APPLICATION/JSON',
    'application/json; charset=latin1',
    'application/json;',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/xml',
    ' application/json ',
  ),
  nastyString(30),
);

/** One mutation of `text`: a byte flipped, a cut, an insertion, a slice repeated. */
export const mutationOf = (text: string): fc.Arbitrary<string> => {
  const at = fc.nat({ max: Math.max(0, text.length - 1) });
  return fc.oneof(
    fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => text.slice(0, i) + String.fromCharCode((text.charCodeAt(i) ^ x) & 0xff) + text.slice(i + 1)),
    at.map((i) => text.slice(0, i)),
    at.map((i) => text.slice(i)),
    fc.tuple(at, nastyString(20)).map(([i, s]) => text.slice(0, i) + s + text.slice(i)),
    fc.tuple(at, at).map(([a, b]) => {
      const [from, to] = a <= b ? [a, b] : [b, a];
      return text.slice(0, to) + text.slice(from, to) + text.slice(to);
    }),
    fc.tuple(at, fc.nat({ max: 64 })).map(([i, n]) => text.slice(0, i) + text.slice(i + n)),
  );
};

/** Several mutations in a row. */
export const mutationsOf = (text: string, max = 3): fc.Arbitrary<string> =>
  fc.integer({ min: 1, max }).chain((n) => {
    let arb: fc.Arbitrary<string> = fc.constant(text);
    for (let i = 0; i < n; i++) arb = arb.chain((t) => mutationOf(t));
    return arb;
  });

export const b64url = (text: string): string => Buffer.from(text).toString('base64url');
