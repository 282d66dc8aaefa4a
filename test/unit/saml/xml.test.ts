import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../../../shared/errors.ts';
import { LIMITS } from '../../../shared/saml/constants.ts';
import { many, one, optional, parseStrictXml, sequence, textOf } from '../../../shared/saml/xml.ts';

const parse = (xml: string, extra: Partial<Parameters<typeof parseStrictXml>[1]> = {}) => parseStrictXml(xml, { ...LIMITS, ...extra });
const refused = (xml: string, extra: Partial<Parameters<typeof parseStrictXml>[1]> = {}) => expect(() => parse(xml, extra)).toThrow(expect.objectContaining({ code: extra.code ?? 'SAML_INVALID' }));

describe('parseStrictXml', () => {
  it('parses a namespaced document with an XML declaration', () => {
    const { root } = parse('<?xml version="1.0" encoding="UTF-8"?><a:r xmlns:a="urn:a" ID="_1"><a:c>t</a:c></a:r>');
    expect(root.localName).toBe('r');
    expect(root.namespaceURI).toBe('urn:a');
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE r><r/>'],
    ['an internal entity (billion laughs)', '<!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>'],
    ['an undefined entity reference', '<r>&a;</r>'],
    ['a processing instruction', '<r><?pi data?></r>'],
    ['a processing instruction before the root', '<?xml version="1.0"?><?pi data?><r/>'],
    ['an XML 1.1 declaration', '<?xml version="1.1"?><r/>'],
    ['a non-UTF-8 declaration', '<?xml version="1.0" encoding="ISO-8859-1"?><r/>'],
    ['a comment', '<r><!-- hi --></r>'],
    ['a raw control character', '<r>\u0001</r>'],
    ['a control character reference', '<r>&#x1;</r>'],
    ['a control character reference in an attribute', '<r a="&#x8;"/>'],
    ['a lone surrogate', '<r>\uD800</r>'],
    ['an unclosed element', '<r><c></r>'],
    ['an unquoted attribute (xmldom only warns)', '<r a=b/>'],
    ['a duplicate attribute', '<r a="1" a="2"/>'],
    ['an unbound prefix', '<p:r/>'],
    ['text after the root', '<r/>junk'],
    ['two roots', '<r/><r/>'],
    ['nothing', ''],
    ['a duplicate ID', '<r><c ID="x"/><c ID="x"/></r>'],
    ['a duplicate ID across ID-like spellings', '<r><c ID="x"/><c Id="x"/></r>'],
    ['a duplicate ID in a namespaced Id attribute', '<r xmlns:w="urn:w"><c ID="x"/><c w:Id="x"/></r>'],
  ])('refuses %s', (_name, xml) => refused(xml));

  it('refuses a document deeper than the limit', () => refused(`${'<e>'.repeat(51)}${'</e>'.repeat(51)}`));
  it('accepts a document at the depth limit', () => expect(parse(`${'<e>'.repeat(50)}${'</e>'.repeat(50)}`).root.localName).toBe('e'));
  it('refuses an empty element one level deeper than the limit', () => refused(`${'<e>'.repeat(50)}<e/>${'</e>'.repeat(50)}`));
  it('refuses more elements than the limit', () => refused(`<r>${'<e/>'.repeat(5000)}</r>`));
  it('refuses a markup bomb before parsing', () => refused(`<r>${'<e></e>'.repeat(6000)}</r>`));

  const attributes = (n: number, name = (i: number) => `a${i}`): string => Array.from({ length: n }, (_, i) => ` ${name(i)}="v"`).join('');
  it('accepts as many attributes on an element as the limit, namespace declarations included', () => {
    expect(parse(`<r${attributes(16)}${attributes(16, (i) => `xmlns:n${i}`)}/>`).root.attributes).toHaveLength(32);
  });
  it('refuses more attributes on an element than the limit', () => refused(`<r><c${attributes(33)}/></r>`));
  it('refuses more namespace declarations on an element than the attribute limit', () => refused(`<r${attributes(33, (i) => `xmlns:n${i}`)}/>`));
  it('counts attributes and depth lexically: quotes, > and = in values, CDATA and comments', () => {
    const strict = { ...LIMITS, maxDepth: 2, maxAttributes: 2 };
    expect(parse(`<r a="=>'" b='"/>='><c><![CDATA[<e><e x="1" y="2" z="3">]]></c></r>`, strict).root.localName).toBe('r');
    expect(parse('<r><!-- <e><e><e> --><c/></r>', { ...strict, allowComments: true }).root.localName).toBe('r');
    refused('<r><c><e/></c></r>', strict);
    refused('<r a="1" b="2" c="3"/>', strict);
  });
  it('refuses an unterminated start tag, CDATA section or comment', () => {
    refused('<r a="1"');
    refused('<r><![CDATA[x</r>');
    refused('<r><!-- x</r>', { allowComments: true });
  });

  it('accepts as many namespace declarations in scope as the limit, across levels', () => {
    expect(parse(`<r${attributes(32, (i) => `xmlns:a${i}`)}><c${attributes(32, (i) => `xmlns:b${i}`)}/></r>`).root.localName).toBe('r');
  });
  it('refuses more namespace declarations in scope than the limit, however they are spread', () => {
    refused(`<r${attributes(22, (i) => `xmlns:a${i}`)}><c${attributes(22, (i) => `xmlns:b${i}`)}><d${attributes(21, (i) => `xmlns:c${i}`)}/></c></r>`);
    // a prefix declared again counts again: each declaration is one more entry for exc-c14n to search
    refused(`<r${attributes(32, (i) => `xmlns:a${i}`)}><c${attributes(32, (i) => `xmlns:a${i}`)}><d xmlns:a0="v"/></c></r>`);
  });

  it('allows comments only where asked (metadata), with its own error code otherwise', () => {
    expect(parse('<r><!-- ok --></r>', { allowComments: true }).root.localName).toBe('r');
    refused('<!DOCTYPE r><r/>', { code: 'CONFIG_INVALID' });
  });

  it('indexes every ID-like attribute and every ds:Signature', () => {
    const { ids, signatures } = parse('<r ID="a"><c Id="b"/><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" id="c"/></r>');
    expect([...ids.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(signatures).toHaveLength(1);
  });

  it('never throws anything but a SAML_INVALID BrokerError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.stringMatching(/^<[a-z:!?&#;=" /<>x-]{0,60}$/)), (text) => {
        try {
          parse(text);
        } catch (error) {
          expect(error).toBeInstanceOf(BrokerError);
          expect((error as BrokerError).code).toBe('SAML_INVALID');
        }
      }),
    );
  });
});

describe('textOf', () => {
  it('concatenates text and CDATA as the signature covered them', () => {
    const { root } = parse('<r>alice@example.com<![CDATA[.evil]]>.com</r>');
    expect(textOf(root)).toBe('alice@example.com.evil.com');
  });

  it('refuses an element where text is expected', () => {
    const { root } = parse('<r>a<b/>c</r>');
    expect(() => textOf(root)).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));
  });
});

describe('sequence', () => {
  const root = (xml: string) => parse(xml).root;
  const model = [optional('urn:a', 'I'), one('urn:a', 'S'), many('urn:a', ['X', 'Y'])] as const;

  it('groups children by particle', () => {
    const [i, s, xs] = sequence(root('<a:r xmlns:a="urn:a"><a:I/><a:S/><a:Y/><a:X/></a:r>'), model);
    expect([i.length, s.length, xs.length]).toEqual([1, 1, 2]);
  });

  it.each([
    ['a missing required element', '<a:r xmlns:a="urn:a"><a:I/></a:r>'],
    ['an element out of order', '<a:r xmlns:a="urn:a"><a:S/><a:I/></a:r>'],
    ['a repeated single element', '<a:r xmlns:a="urn:a"><a:S/><a:S/></a:r>'],
    ['an element in another namespace', '<a:r xmlns:a="urn:a" xmlns:b="urn:b"><b:S/></a:r>'],
    ['an unexpected element', '<a:r xmlns:a="urn:a"><a:S/><a:Z/></a:r>'],
  ])('refuses %s', (_name, xml) => {
    expect(() => sequence(root(xml), model)).toThrow(expect.objectContaining({ code: 'SAML_INVALID' }));
  });
});
