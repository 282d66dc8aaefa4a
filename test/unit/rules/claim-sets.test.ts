// docs/rules.md, the claims object: claims normalisation — sets of NFC strings in null-prototype objects, prototype-polluting claim
// names are ordinary claims, broker: keys come only from the broker, mapClaims with JSON pointers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MFA,
  claimValues,
  getClaim,
  mapClaims,
  normaliseClaims,
  readClaim,
  readMappedClaims,
  resolvePointer,
  withBrokerKeys,
} from '../../../shared/rules/index.ts';
import type { BrokerFacts, Claims } from '../../../shared/rules/index.ts';

const TIME = new Date('2025-06-01T12:00:00.000Z');
const facts = (overrides: Partial<BrokerFacts> = {}): BrokerFacts => ({
  provider: 'okta',
  protocol: 'oidc',
  sourceIp: '203.0.113.9',
  time: TIME,
  mfa: DEFAULT_MFA,
  ...overrides,
});

/** Raw IdP claims as a JSON parser produces them: `__proto__` becomes an own property. */
const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

const PROTO_PROBES = ['polluted', 'isAdmin', 'admin', 'x'] as const;
afterEach(() => {
  // Every test in this file must leave Object.prototype exactly as it was.
  for (const probe of PROTO_PROBES) expect(Object.prototype).not.toHaveProperty(probe);
});

describe('claimValues: every claim is a set of strings', () => {
  it.each([
    ['a string is a set of one', 'eng', ['eng']],
    ['an empty string is a value', '', ['']],
    ['an integer', 5, ['5']],
    ['a decimal', 1.5, ['1.5']],
    ['NaN carries no value', Number.NaN, []],
    ['Infinity carries no value', Number.POSITIVE_INFINITY, []],
    ['true', true, ['true']],
    ['false', false, ['false']],
    ['a bigint', 10n, ['10']],
    ['null carries no value', null, []],
    ['undefined carries no value', undefined, []],
    ['an object carries no value', { a: 'b' }, []],
    ['an array is the set of its scalars', ['a', 'b'], ['a', 'b']],
    ['an empty array is the empty set', [], []],
    ['nested arrays and objects inside an array are dropped', ['a', ['b'], { c: 'd' }, 2, null, true], ['a', '2', 'true']],
    ['strings become NFC', 'cafe\u0301', ['caf\u00e9']],
  ])('%s', (_name, raw, expected) => {
    expect(claimValues(raw)).toEqual(expected);
  });
});

// A value the engine cannot read must never just vanish: a deny rule would not see it (docs/rules.md).
describe('readClaim: what the engine cannot read is marked, never silently dropped', () => {
  it.each<[string, unknown, string[], boolean]>([
    ['a string', 'eng', ['eng'], false],
    ['an array of scalars', ['a', 1, true], ['a', '1', 'true'], false],
    ['JSON null is absent', null, [], false],
    ['null inside an array is absent', ['a', null], ['a'], false],
    ['an empty array', [], [], false],
    ['an object', { name: 'contractors' }, [], true],
    ['a nested array', [['contractors'], 'aws-dev'], ['aws-dev'], true],
    ['group objects (a pointer onto objects)', [{ name: 'contractors' }, 'aws-dev'], ['aws-dev'], true],
    ['NaN', Number.NaN, [], true],
    ['Infinity inside an array', ['a', Number.POSITIVE_INFINITY], ['a'], true],
    ['an empty object inside an array', [{}], [], true],
  ])('%s', (_name, raw, values, unreadable) => {
    expect(readClaim(raw)).toEqual({ values, unreadable });
  });
});

describe('readMappedClaims: the names whose values could not all be read', () => {
  const raw = json(`{
    "sub": "alice",
    "groups": [["contractors"], "aws-dev"],
    "realm_access": {"roles": [{"name": "contractors"}, "aws-dev"]},
    "team": {"id": 7},
    "clean": ["a", "b"],
    "broker:mfa": {"x": 1}
  }`);

  it('names raw claims with nested arrays or objects, never a broker: key', () => {
    expect(readMappedClaims(raw, undefined, true).unreadable).toEqual(['groups', 'realm_access', 'team']);
  });

  it('a mapping onto an unreadable value makes the mapped name unreadable', () => {
    expect(readMappedClaims(raw, { roles: '/realm_access/roles' }, true).unreadable).toContain('roles');
  });

  it('a mapped name that replaces an unreadable claim with a readable value is readable', () => {
    const out = readMappedClaims(raw, { groups: 'clean' }, true);
    expect(out.unreadable).not.toContain('groups');
    expect(out.claims.groups).toEqual(['a', 'b']);
  });

  it('a mapped name that replaces a readable claim with an unreadable value is unreadable', () => {
    expect(readMappedClaims(raw, { clean: 'team' }, true).unreadable).toContain('clean');
  });

  it('the readable values are still the claims (the decision refuses, the trace shows them)', () => {
    expect(readMappedClaims(raw, undefined, true).claims.groups).toEqual(['aws-dev']);
  });
});

describe('normaliseClaims', () => {
  it('returns a null-prototype object', () => {
    expect(Object.getPrototypeOf(normaliseClaims({ sub: 'alice' }))).toBeNull();
  });

  it('turns scalars into sets of one and keeps arrays as sets', () => {
    expect({ ...normaliseClaims({ sub: 'alice', groups: ['eng', 'ops'], age: 42 }) }).toEqual({
      sub: ['alice'],
      groups: ['eng', 'ops'],
      age: ['42'],
    });
  });

  it('removes duplicate values', () => {
    expect(normaliseClaims({ groups: ['eng', 'ops', 'eng'] }).groups).toEqual(['eng', 'ops']);
  });

  it('removes values that are duplicates only after NFC', () => {
    expect(normaliseClaims({ name: ['caf\u00e9', 'cafe\u0301'] }).name).toEqual(['caf\u00e9']);
  });

  it.each([
    ['an empty array', []],
    ['null', null],
    ['an object', { nested: 'x' }],
  ])('a claim holding %s is missing', (_name, value) => {
    expect(Object.hasOwn(normaliseClaims({ c: value }), 'c')).toBe(false);
  });

  it.each([['broker:mfa'], ['broker:provider'], ['broker:protocol'], ['broker:sourceIp'], ['broker:time'], ['broker:anything']])(
    'drops the IdP-supplied broker key %s',
    (key) => {
      expect(Object.keys(normaliseClaims({ [key]: 'true', sub: 'alice' }))).toEqual(['sub']);
    },
  );

  it('ignores inherited properties of the raw object', () => {
    const raw = Object.create({ inherited: 'admin' }) as Record<string, unknown>;
    raw.own = 'x';
    expect(Object.keys(normaliseClaims(raw))).toEqual(['own']);
  });

  it.each([['__proto__'], ['constructor'], ['hasOwnProperty'], ['toString'], ['valueOf'], ['isPrototypeOf'], ['__defineGetter__']])(
    'a claim named %s is just another claim',
    (name) => {
      const claims = normaliseClaims(json(`{${JSON.stringify(name)}: ["admin", "x"]}`));
      expect(Object.keys(claims)).toEqual([name]);
      expect(getClaim(claims, name)).toEqual(['admin', 'x']);
      expect(Object.getPrototypeOf(claims)).toBeNull();
    },
  );

  it('a __proto__ claim holding an object cannot pollute Object.prototype', () => {
    const claims = normaliseClaims(json('{"__proto__": {"polluted": "yes", "isAdmin": true}, "sub": "alice"}'));
    expect(Object.keys(claims)).toEqual(['sub']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('a constructor.prototype claim cannot pollute Object.prototype', () => {
    normaliseClaims(json('{"constructor": {"prototype": {"polluted": "yes"}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('getClaim', () => {
  it.each([['toString'], ['constructor'], ['__proto__'], ['hasOwnProperty'], ['valueOf']])(
    'an absent %s is the empty set, never an inherited member',
    (name) => {
      expect(getClaim(normaliseClaims({ sub: 'alice' }), name)).toEqual([]);
      expect(getClaim({ sub: ['alice'] } as Claims, name)).toEqual([]);
    },
  );

  it('returns the values of a present claim', () => {
    expect(getClaim(normaliseClaims({ groups: ['a', 'b'] }), 'groups')).toEqual(['a', 'b']);
  });

  it('a missing claim is the empty set', () => {
    expect(getClaim(normaliseClaims({}), 'groups')).toEqual([]);
  });

  it('claim names are case-sensitive', () => {
    expect(getClaim(normaliseClaims({ Groups: 'a' }), 'groups')).toEqual([]);
  });
});

describe('withBrokerKeys', () => {
  it('adds provider, protocol, source address, time and mfa', () => {
    const claims = withBrokerKeys(normaliseClaims({ sub: 'alice' }), facts());
    expect({ ...claims }).toEqual({
      sub: ['alice'],
      'broker:provider': ['okta'],
      'broker:protocol': ['oidc'],
      'broker:mfa': ['false'],
      'broker:time': ['2025-06-01T12:00:00.000Z'],
      'broker:sourceIp': ['203.0.113.9'],
    });
  });

  it('broker:time is the request time passed in, as ISO 8601', () => {
    const claims = withBrokerKeys(normaliseClaims({}), facts({ time: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) }));
    expect(getClaim(claims, 'broker:time')).toEqual(['2030-01-02T03:04:05.000Z']);
  });

  it('broker:protocol records saml', () => {
    expect(getClaim(withBrokerKeys(normaliseClaims({}), facts({ protocol: 'saml' })), 'broker:protocol')).toEqual(['saml']);
  });

  it('omits broker:sourceIp when the address is unknown', () => {
    const claims = withBrokerKeys(normaliseClaims({}), facts({ sourceIp: undefined }));
    expect(Object.hasOwn(claims, 'broker:sourceIp')).toBe(false);
  });

  it('returns a frozen null-prototype object', () => {
    const claims = withBrokerKeys(normaliseClaims({ sub: 'alice' }), facts());
    expect(Object.isFrozen(claims)).toBe(true);
    expect(Object.getPrototypeOf(claims)).toBeNull();
  });

  it('broker:mfa is always present', () => {
    expect(getClaim(withBrokerKeys(normaliseClaims({}), facts()), 'broker:mfa')).toEqual(['false']);
  });

  it.each([
    ...DEFAULT_MFA.acr.map((acr) => [`acr ${acr}`, { acr }, 'true'] as const),
    ...DEFAULT_MFA.amr.map((amr) => [`amr [pwd, ${amr}]`, { amr: ['pwd', amr] }, 'true'] as const),
    ['amr [pwd]', { amr: ['pwd'] }, 'false'],
    ['amr [MFA] (values are exact)', { amr: ['MFA'] }, 'false'],
    ['acr PasswordProtectedTransport', { acr: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport' }, 'false'],
    ['acr given as an amr value', { amr: ['https://refeds.org/profile/mfa'] }, 'false'],
    ['amr given as an acr value', { acr: 'mfa' }, 'false'],
    ['neither acr nor amr', {}, 'false'],
  ] as const)('default mfa values: %s gives broker:mfa %s', (_name, raw, expected) => {
    expect(getClaim(withBrokerKeys(normaliseClaims(raw), facts()), 'broker:mfa')).toEqual([expected]);
  });

  it.each([
    ['a configured acr value counts', { acr: 'urn:example:strong' }, 'true'],
    ['a configured amr value counts', { amr: ['yubikey'] }, 'true'],
    ['a default amr value no longer counts', { amr: ['mfa'] }, 'false'],
    ['a default acr value no longer counts', { acr: 'https://refeds.org/profile/mfa' }, 'false'],
  ] as const)('configured mfa values: %s', (_name, raw, expected) => {
    const mfa = { acr: ['urn:example:strong'], amr: ['yubikey'] };
    expect(getClaim(withBrokerKeys(normaliseClaims(raw), facts({ mfa })), 'broker:mfa')).toEqual([expected]);
  });

  it('an IdP-supplied broker:mfa cannot survive, even if it reaches withBrokerKeys directly', () => {
    const idp = Object.assign(Object.create(null) as Record<string, string[]>, { 'broker:mfa': ['true'], 'broker:custom': ['x'] });
    const claims = withBrokerKeys(idp, facts());
    expect(getClaim(claims, 'broker:mfa')).toEqual(['false']);
    expect(Object.hasOwn(claims, 'broker:custom')).toBe(false);
  });

  it('IdP-supplied broker:provider and broker:sourceIp are replaced by the broker facts', () => {
    const idp = Object.assign(Object.create(null) as Record<string, string[]>, {
      'broker:provider': ['other'],
      'broker:sourceIp': ['10.0.0.1'],
    });
    const claims = withBrokerKeys(idp, facts());
    expect(getClaim(claims, 'broker:provider')).toEqual(['okta']);
    expect(getClaim(claims, 'broker:sourceIp')).toEqual(['203.0.113.9']);
  });

  it('an IdP-supplied broker:sourceIp is dropped when the broker has no address', () => {
    const idp = Object.assign(Object.create(null) as Record<string, string[]>, { 'broker:sourceIp': ['10.0.0.1'] });
    expect(Object.hasOwn(withBrokerKeys(idp, facts({ sourceIp: undefined })), 'broker:sourceIp')).toBe(false);
  });

  it('keeps a __proto__ claim as an own claim', () => {
    const claims = withBrokerKeys(normaliseClaims(json('{"__proto__": "admin"}')), facts());
    expect(getClaim(claims, '__proto__')).toEqual(['admin']);
    expect(Object.getPrototypeOf(claims)).toBeNull();
  });
});

describe('resolvePointer (RFC 6901)', () => {
  const raw = json(`{
    "realm_access": {"roles": ["admin", "user"]},
    "a/b": "slash",
    "m~n": "tilde",
    "~1": "tilde-one",
    "list": ["zero", "one"],
    "": "empty-key",
    "__proto__": {"x": "own"}
  }`);

  it.each([
    ['/realm_access/roles', ['admin', 'user']],
    ['/realm_access/roles/1', 'user'],
    ['/a~1b', 'slash'],
    ['/m~0n', 'tilde'],
    ['/~01', 'tilde-one'], // ~0 then 1, not ~1
    ['/list/0', 'zero'],
    ['/', 'empty-key'],
    ['/__proto__/x', 'own'], // an own __proto__ key from JSON
    ['/list/01', undefined], // leading zero
    ['/list/-', undefined],
    ['/list/2', undefined],
    ['/list/length', undefined],
    ['/missing', undefined],
    ['/realm_access/missing/deeper', undefined],
    ['/a~1b/0', undefined], // into a string
    ['realm_access', undefined], // not a pointer
    ['/constructor', undefined],
    ['/realm_access/constructor', undefined],
    ['/realm_access/hasOwnProperty', undefined],
    ['/list/constructor', undefined],
  ])('%j resolves to %j', (pointer, expected) => {
    expect(resolvePointer(raw, pointer)).toEqual(expected);
  });

  it('the empty pointer is the whole document', () => {
    expect(resolvePointer(raw, '')).toBe(raw);
  });

  it('never walks into an inherited __proto__', () => {
    expect(resolvePointer({ a: 1 }, '/__proto__')).toBeUndefined();
  });
});

describe('mapClaims', () => {
  const raw = json(`{
    "sub": "alice",
    "groups": ["eng", "ops"],
    "realm_access": {"roles": ["admin", "user", "admin"]},
    "dept": "cafe\\u0301",
    "/realm_access/roles": "a claim whose name looks like a pointer",
    "__proto__": "proto-value"
  }`);

  it('without mappings it is normaliseClaims', () => {
    expect({ ...mapClaims(raw, undefined, true) }).toEqual({ ...normaliseClaims(raw) });
  });

  it('maps a claim name to a new name', () => {
    expect(mapClaims(raw, { team: 'groups' }, false).team).toEqual(['eng', 'ops']);
  });

  it('keeps the source claim under its own name too', () => {
    expect(mapClaims(raw, { team: 'groups' }, false).groups).toEqual(['eng', 'ops']);
  });

  it('follows a JSON pointer when pointers are allowed, deduplicating', () => {
    expect(mapClaims(raw, { roles: '/realm_access/roles' }, true).roles).toEqual(['admin', 'user']);
  });

  it('treats a pointer as a plain claim name when pointers are not allowed (SAML)', () => {
    expect(mapClaims(raw, { roles: '/realm_access/roles' }, false).roles).toEqual(['a claim whose name looks like a pointer']);
  });

  it('a mapped name replaces a claim of the same name', () => {
    expect(mapClaims(raw, { groups: '/realm_access/roles' }, true).groups).toEqual(['admin', 'user']);
  });

  it('a mapping whose source is missing removes the claim of that name', () => {
    expect(Object.hasOwn(mapClaims(raw, { groups: 'nope' }, true), 'groups')).toBe(false);
  });

  it('a mapping whose pointer reaches an object yields no claim', () => {
    expect(Object.hasOwn(mapClaims(raw, { ra: '/realm_access' }, true), 'ra')).toBe(false);
  });

  it('mapped values are NFC', () => {
    expect(mapClaims(raw, { department: 'dept' }, false).department).toEqual(['caf\u00e9']);
  });

  it.each([['broker:mfa'], ['broker:provider'], ['broker:sourceIp']])('can never produce the broker key %s', (name) => {
    expect(Object.hasOwn(mapClaims(raw, { [name]: 'sub' }, true), name)).toBe(false);
  });

  it('a source named constructor is not the inherited Object constructor', () => {
    expect(Object.hasOwn(mapClaims({ sub: 'alice' }, { c: 'constructor' }, false), 'c')).toBe(false);
  });

  it('a source inherited by the raw object is not a claim', () => {
    const raw = Object.create({ role: 'admin' }) as Record<string, unknown>;
    raw.sub = 'alice';
    expect(Object.hasOwn(mapClaims(raw, { r: 'role' }, false), 'r')).toBe(false);
  });

  it('a source named toString is not the inherited function', () => {
    expect(Object.hasOwn(mapClaims({ sub: 'alice' }, { c: 'toString' }, false), 'c')).toBe(false);
  });

  it('an own __proto__ source maps like any other claim', () => {
    expect(mapClaims(raw, { p: '__proto__' }, false).p).toEqual(['proto-value']);
  });

  it('a mapping named __proto__ becomes an own claim and leaves the prototype alone', () => {
    const mappings = json('{"__proto__": "groups"}') as Record<string, string>;
    const out = mapClaims({ groups: ['admin', 'x'] }, mappings, false);
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(getClaim(out, '__proto__')).toEqual(['admin', 'x']);
  });
});
