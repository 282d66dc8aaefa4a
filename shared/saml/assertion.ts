// Reads one saml:Assertion element (the exact node whose signature was checked, never a re-query of the
// document) into plain values, refusing the shapes the broker does not understand.

import type { Element } from '@xmldom/xmldom';
import { fail } from '../errors.ts';
import { CM_BEARER, NAMEID_ENTITY, NS } from './constants.ts';
import { attr, assertNoText, elementChildren, isElement, many, one, optional, sequence, textOf } from './xml.ts';

export interface AssertionView {
  readonly element: Element;
  readonly id: string;
  readonly issueInstant: Date;
  readonly issuer: string;
  readonly nameId: string;
  readonly nameIdFormat?: string | undefined;
  readonly confirmation: { readonly notBefore?: Date | undefined; readonly notOnOrAfter: Date; readonly recipient?: string | undefined; readonly inResponseTo?: string | undefined };
  readonly conditions: { readonly notBefore?: Date | undefined; readonly notOnOrAfter?: Date | undefined; readonly audienceRestrictions: readonly (readonly string[])[] };
  readonly sessionNotOnOrAfter?: Date | undefined;
  readonly authnContextClassRef?: string | undefined;
  readonly attributes: ReadonlyArray<readonly [name: string, values: readonly AttributeValue[]]>;
}

/**
 * An AttributeValue as a string, or the mark of one the broker cannot read (`xsi:nil="true"` that still has
 * content): carried, never dropped, so that the rules engine refuses the identity when a rule uses the attribute.
 */
export type AttributeValue = string | { readonly unreadable: 'nil-with-content' };

const invalid = (reason: string): never => fail('SAML_INVALID', `Assertion refused: ${reason}`);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** xs:dateTime in UTC (SAML core §1.3.3), strictly; anything Date.parse would guess at is refused. */
export const dateTime = (value: string | undefined, what: string): Date => {
  const m = value === undefined ? null : DATE_TIME.exec(value);
  if (!m) return invalid(`${what} is not a UTC xs:dateTime`);
  const [, y, mo, d, h, mi, s, frac] = m.map((p) => p ?? '');
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac!.padEnd(3, '0').slice(0, 3)));
  const date = new Date(ms);
  // Date.UTC rolls 2025-02-29 over to March 1st: the parts must survive the round trip.
  const back = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  if (Number.isNaN(ms) || back.some((part, i) => part !== Number([y, mo, d, h, mi, s][i]))) invalid(`${what} is not a valid date`);
  return date;
};
const optionalDate = (value: string | undefined, what: string): Date | undefined => (value === undefined ? undefined : dateTime(value, what));

const readSubject = (subject: Element): Pick<AssertionView, 'nameId' | 'nameIdFormat' | 'confirmation'> => {
  assertNoText(subject);
  const [[id], confirmations] = sequence(subject, [
    { ns: NS.assertion, names: ['BaseID', 'NameID', 'EncryptedID'], min: 0, max: 1 },
    many(NS.assertion, ['SubjectConfirmation']),
  ]);
  if (!id || id.localName !== 'NameID') invalid('Subject needs a plain NameID');
  const nameId = textOf(id!);
  if (nameId.trim() === '') invalid('NameID is empty');
  // One bearer confirmation: holder-of-key / sender-vouches need proof the broker cannot check.
  if (confirmations!.length !== 1 || attr(confirmations![0]!, 'Method') !== CM_BEARER) invalid('exactly one bearer SubjectConfirmation is required');
  const [, [data]] = sequence(confirmations![0]!, [
    { ns: NS.assertion, names: ['BaseID', 'NameID', 'EncryptedID'], min: 0, max: 1 },
    optional(NS.assertion, 'SubjectConfirmationData'),
  ]);
  if (!data) return invalid('SubjectConfirmationData is missing');
  // Bearer data carries attributes only: a KeyInfo (or a hidden assertion) has no business there.
  if (elementChildren(data).length > 0) invalid('SubjectConfirmationData has content');
  const notOnOrAfter = attr(data, 'NotOnOrAfter');
  if (notOnOrAfter === undefined) invalid('SubjectConfirmationData lacks NotOnOrAfter');
  return {
    nameId,
    nameIdFormat: attr(id!, 'Format'),
    confirmation: {
      notBefore: optionalDate(attr(data, 'NotBefore'), 'SubjectConfirmationData NotBefore'),
      notOnOrAfter: dateTime(notOnOrAfter, 'SubjectConfirmationData NotOnOrAfter'),
      recipient: attr(data, 'Recipient'),
      inResponseTo: attr(data, 'InResponseTo'),
    },
  };
};

const readConditions = (conditions: Element): AssertionView['conditions'] => {
  assertNoText(conditions);
  const audienceRestrictions: string[][] = [];
  for (const c of elementChildren(conditions)) {
    if (isElement(c, NS.assertion, 'AudienceRestriction')) {
      const [audiences] = sequence(c, [many(NS.assertion, ['Audience'], 1)]);
      audienceRestrictions.push(audiences!.map((a) => textOf(a)));
    } else if (!isElement(c, NS.assertion, 'OneTimeUse') && !isElement(c, NS.assertion, 'ProxyRestriction')) {
      // A condition the broker does not understand makes the assertion Indeterminate (SAML core §2.5.1.1).
      invalid(`unsupported condition ${c.localName}`);
    }
  }
  return {
    notBefore: optionalDate(attr(conditions, 'NotBefore'), 'Conditions NotBefore'),
    notOnOrAfter: optionalDate(attr(conditions, 'NotOnOrAfter'), 'Conditions NotOnOrAfter'),
    audienceRestrictions,
  };
};

const readAuthn = (statements: readonly Element[]): Pick<AssertionView, 'sessionNotOnOrAfter' | 'authnContextClassRef'> => {
  if (statements.length === 0) return {};
  if (statements.length > 1) invalid('more than one AuthnStatement');
  const statement = statements[0]!;
  const [, [context]] = sequence(statement, [optional(NS.assertion, 'SubjectLocality'), one(NS.assertion, 'AuthnContext')]);
  const classRefs = elementChildren(context!).filter((e) => isElement(e, NS.assertion, 'AuthnContextClassRef'));
  if (classRefs.length > 1) invalid('more than one AuthnContextClassRef');
  return {
    sessionNotOnOrAfter: optionalDate(attr(statement, 'SessionNotOnOrAfter'), 'SessionNotOnOrAfter'),
    authnContextClassRef: classRefs[0] === undefined ? undefined : textOf(classRefs[0]),
  };
};

const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

const isNil = (value: Element): boolean => /^\s*(true|1)\s*$/.test(value.getAttributeNS(NS.xsi, 'nil') ?? '');

/** Text or an element inside a nil value: what does it mean? Nobody can say, so it is never taken as "no value". */
const hasContent = (value: Element): boolean => {
  for (let child = value.firstChild; child; child = child.nextSibling) {
    if (child.nodeType !== TEXT_NODE && child.nodeType !== CDATA_SECTION_NODE) return true;
    if ((child.nodeValue ?? '').trim() !== '') return true;
  }
  return false;
};

/**
 * One AttributeValue: a string, nothing (`xsi:nil` without content: an absent value), or the unreadable mark
 * (`xsi:nil` with content). A value the broker cannot read is refused or carried, never dropped: deny rules see all.
 */
const attributeValues = (value: Element): AttributeValue[] => {
  if (isNil(value)) return hasContent(value) ? [{ unreadable: 'nil-with-content' }] : [];
  const [nested, ...rest] = elementChildren(value);
  if (nested === undefined) return [textOf(value)];
  if (rest.length > 0 || !isElement(nested, NS.assertion, 'NameID')) return invalid('complex AttributeValue');
  assertNoText(value);
  return [textOf(nested)];
};

const readAttributes = (statements: readonly Element[]): AssertionView['attributes'] =>
  statements.flatMap((statement) => {
    // Encrypted attributes cannot be read here: refusing beats silently losing a group a deny rule needs.
    const [attributes] = sequence(statement, [many(NS.assertion, ['Attribute'], 1)]);
    return attributes!.map((a) => {
      const name = attr(a, 'Name');
      if (!name) return invalid('Attribute without Name');
      const [values] = sequence(a, [many(NS.assertion, ['AttributeValue'])]);
      return [name, values!.flatMap(attributeValues)] as const;
    });
  });

/** Reads the assertion's values from this exact element. */
export const readAssertion = (element: Element): AssertionView => {
  if (attr(element, 'Version') !== '2.0') invalid('Version is not 2.0');
  const id = attr(element, 'ID');
  if (!id) return invalid('ID is missing');
  assertNoText(element);
  const [[issuer], , [subject], [conditions], , statements] = sequence(element, [
    one(NS.assertion, 'Issuer'),
    optional(NS.ds, 'Signature'),
    optional(NS.assertion, 'Subject'),
    optional(NS.assertion, 'Conditions'),
    optional(NS.assertion, 'Advice'),
    many(NS.assertion, ['Statement', 'AuthnStatement', 'AuthzDecisionStatement', 'AttributeStatement']),
  ]);
  const issuerFormat = attr(issuer!, 'Format');
  if (issuerFormat !== undefined && issuerFormat !== NAMEID_ENTITY) invalid('Issuer Format is not entity');
  if (!subject) return invalid('Subject is missing');
  // Conditions carry the audience and validity window: an assertion without them is valid anywhere, forever.
  if (!conditions) return invalid('Conditions are missing');
  return {
    element,
    id,
    issueInstant: dateTime(attr(element, 'IssueInstant'), 'IssueInstant'),
    issuer: textOf(issuer!),
    ...readSubject(subject),
    conditions: readConditions(conditions),
    ...readAuthn(statements!.filter((s) => s.localName === 'AuthnStatement')),
    attributes: readAttributes(statements!.filter((s) => s.localName === 'AttributeStatement')),
  };
};
