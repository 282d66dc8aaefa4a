// The worked example of docs/accounts.md (config/accounts.example.yaml, its accounts from an Organizations file)
// through the exported handlers, with a SAML response from the samlify test IdP carrying the AWS `Role` attribute as
// Okta's AWS app sends it: POST /roles lists exactly the role instances the rules grant (with their accounts),
// POST /token issues them by their new ids, the picker groups them by account, and its filter works without
// JavaScript (GET /session?q=…) while the ticket stays bound to the browser and single-use.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { auditRecords } from '../support/capture.ts';
import { ATTR } from '../support/saml-idp.ts';
import { Browser, codeOf, form, hiddenField, httpEvent, lambdaContext, SAML_PROVIDER, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { postAcs, postSession, samlResponse } from '../support/security-browser.ts';
import { stsInputs } from '../support/security-sts.ts';

const CONFIG = resolve(import.meta.dirname, '../../config');
const example = parse(readFileSync(resolve(CONFIG, 'accounts.example.yaml'), 'utf8')) as Record<string, any>;
const ROLE_ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/Role';
const OKTA = (account: string, name: string): string => `arn:aws:iam::${account}:role/Okta-${name}`;
const provider = (account: string): string => `arn:aws:iam::${account}:saml-provider/Okta`;

const broker = useBrokerUnderTest({
  resetStsEach: true,
  files: { 'accounts.example.json': readFileSync(resolve(CONFIG, 'accounts.example.json'), 'utf8') },
  // The example as it is, its `okta` provider played by the samlify test IdP.
  edit: (c) => {
    c.accountsFile = example.accountsFile;
    c.roles = example.roles;
    c.rules = (example.rules as Array<Record<string, any>>).map((rule) => (rule.providers ? { ...rule, providers: [SAML_PROVIDER] } : rule));
    c.providers[SAML_PROVIDER].claims = example.providers.okta.claims;
    c.providers[SAML_PROVIDER].assertedRoles = example.providers.okta.assertedRoles;
  },
});

/** Alice, an engineer of two teams, and the roles Okta's AWS app asserts for her (one malformed, one outside allow). */
const aliceResponse = (groups = ['engineers']): Promise<string> =>
  samlResponse(broker, {
    user: {
      nameId: 'alice@example.com',
      attributes: {
        [ATTR.email]: ['alice@example.com'],
        [ATTR.groups]: groups,
        team: ['payments', 'search'],
        [ROLE_ATTRIBUTE]: [
          `${OKTA('444455556666', 'ReadOnly')},${provider('444455556666')}`,
          `${provider('111122223333')},${OKTA('111122223333', 'Billing')}`,
          OKTA('222233334444', 'Admin'),
          'not-a-role',
          `arn:aws:iam::444455556666:role/Admin,${provider('444455556666')}`,
          `${OKTA('999999999999', 'ReadOnly')},${provider('999999999999')}`,
        ],
      },
    },
  });

const tokenRequest = (route: 'token' | 'roles', subjectToken: string, extra: Record<string, string> = {}): Promise<HandlerResult> =>
  broker.handlers[route](
    httpEvent(`/${route}`, { body: form({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subjectToken, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', ...extra }) }),
    lambdaContext,
  );

const GRANTED = [
  'readonly@payments-prod',
  'readonly@payments-dev',
  'readonly@search-prod',
  'readonly@search-dev',
  'developer@payments-dev',
  'developer@search-dev',
  OKTA('444455556666', 'ReadOnly'),
  OKTA('111122223333', 'Billing'),
  OKTA('222233334444', 'Admin'),
];

describe('POST /roles and POST /token with accounts, templates and asserted roles', () => {
  it('lists exactly the granted role instances, each with its account', async () => {
    const result = await tokenRequest('roles', await aliceResponse());
    expect(result.statusCode).toBe(200);
    const { roles } = JSON.parse(result.body) as { roles: Array<Record<string, unknown>> };
    expect(roles.map((r) => r.id)).toEqual(GRANTED);
    expect(roles[1]).toEqual({ id: 'readonly@payments-dev', arn: 'arn:aws:iam::444455556666:role/ReadOnly', label: 'Read only', maxSessionSeconds: 3600, account: { id: '444455556666', name: 'payments-dev', label: 'Payments Dev' } });
    expect(roles[4]).toMatchObject({ id: 'developer@payments-dev', maxSessionSeconds: 3600 });
    expect(roles[6]).toEqual({ id: OKTA('444455556666', 'ReadOnly'), arn: OKTA('444455556666', 'ReadOnly'), label: 'Okta-ReadOnly', maxSessionSeconds: 3600, account: { id: '444455556666', name: 'payments-dev', label: 'Payments Dev' } });
  });

  it('a contractor loses every prod role, templated and asserted alike (deny overrides allow per instance)', async () => {
    const { roles } = JSON.parse((await tokenRequest('roles', await aliceResponse(['engineers', 'contractors']))).body) as { roles: Array<{ id: string }> };
    expect(roles.map((r) => r.id)).toEqual(['readonly@payments-dev', 'readonly@search-dev', 'developer@payments-dev', 'developer@search-dev', OKTA('444455556666', 'ReadOnly'), OKTA('222233334444', 'Admin')]);
  });

  it.each([
    ['a template instance by id', 'developer@search-dev', 'arn:aws:iam::222233334444:role/Developer'],
    ['an asserted role by its ARN', OKTA('111122223333', 'Billing'), OKTA('111122223333', 'Billing')],
  ])('issues %s (audience), and audits the role id', async (_name, audience, arn) => {
    const result = await tokenRequest('token', await aliceResponse(), { audience });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ RoleArn: arn });
    expect(stsInputs(broker)).toEqual([expect.objectContaining({ RoleArn: arn, RoleSessionName: 'alice@example.com', SourceIdentity: 'alice@example.com' })]);
    const records = auditRecords(broker.capture?.lines() ?? []).filter((r) => r.route === '/token' && r.decision === 'grant');
    expect(records.at(-1)).toMatchObject({ roleId: audience, roleArn: arn });
  });

  it.each([
    ['an asserted role outside allow', 'arn:aws:iam::444455556666:role/Admin'],
    ['an asserted role in an account the config does not know', OKTA('999999999999', 'ReadOnly')],
    ['a template instance of an account the template does not select', 'developer@payments-prod'],
  ])('refuses %s: ROLE_NOT_GRANTED', async (_name, audience) => {
    const result = await tokenRequest('token', await aliceResponse(), { audience });
    expect(codeOf(result)).toBe('ROLE_NOT_GRANTED');
    expect(broker.stsCalls()).toBe(0);
  });
});

describe('the role picker, grouped by account, with a filter that works without JavaScript', () => {
  const signIn = async (): Promise<{ browser: Browser; picker: HandlerResult }> => {
    const browser = new Browser();
    const picker = await postAcs(broker, browser, { SAMLResponse: await aliceResponse() });
    return { browser, picker };
  };
  const shown = (html: string): string[] => [...html.matchAll(/<li(?! hidden)[^>]*><label class="role"><input type="radio" name="role" value="([^"]+)"/g)].map((m) => m[1] ?? '');
  const legends = (html: string): string[] => [...html.matchAll(/<fieldset class="account"(?: hidden)?><legend>([^<]+)<span class="muted">([^<]+)<\/span>/g)].map((m) => `${m[1]?.trim()} (${m[2]})`);

  it('groups the roles by account, with labels, names and ids, and offers the filter', async () => {
    const { picker } = await signIn();
    expect(picker.statusCode).toBe(200);
    expect(shown(picker.body)).toEqual([
      'readonly@payments-prod',
      OKTA('111122223333', 'Billing'),
      'readonly@payments-dev',
      'developer@payments-dev',
      OKTA('444455556666', 'ReadOnly'),
      'readonly@search-prod',
      'readonly@search-dev',
      'developer@search-dev',
      OKTA('222233334444', 'Admin'),
    ]);
    expect(legends(picker.body)).toEqual(['Payments Prod (payments-prod · 111122223333)', 'Payments Dev (payments-dev · 444455556666)', 'Search Prod (search-prod · 777788889999)', 'Search Dev (search-dev · 222233334444)']);
    expect(picker.body).toContain('<form method="get" action="/session" role="search" id="role-filter" class="filter">');
    expect(picker.body).toContain('9 of 9 roles in 4 accounts');
  });

  it('GET /session?q=… re-renders the picker with only the matching roles shown, and its ticket still works once', async () => {
    const { browser, picker } = await signIn();
    const ticket = hiddenField(picker.body, 'ticket') ?? '';
    const filtered = await browser.call(broker.handlers.session, '/session', { method: 'GET', query: 'q=search%20dev' });
    expect(filtered.statusCode).toBe(200);
    expect(shown(filtered.body)).toEqual(['readonly@search-dev', 'developer@search-dev', OKTA('222233334444', 'Admin')]);
    expect(filtered.body).toContain('value="search dev"');
    expect(filtered.body).toContain('3 of 9 roles in 4 accounts');
    expect(hiddenField(filtered.body, 'ticket')).toBe(ticket);
    expect(filtered.headers['cache-control']).toContain('no-store');
    const issued = await postSession(broker, browser, { ticket, role: 'developer@search-dev', target: 'cli' });
    expect(issued.statusCode).toBe(200);
    expect(stsInputs(broker)).toEqual([expect.objectContaining({ RoleArn: 'arn:aws:iam::222233334444:role/Developer' })]);
    // Spent: the picker cookie went with it, and the ticket is refused a second time.
    expect(codeOf(await browser.call(broker.handlers.session, '/session', { method: 'GET', query: 'q=x' }))).toBe('TICKET_INVALID');
    expect(codeOf(await postSession(broker, browser, { ticket, role: 'developer@search-dev', target: 'cli' }))).toBe('TICKET_INVALID');
  });

  it('matches role ids, role and account labels, account names and ids, ignoring case', async () => {
    const { browser } = await signIn();
    const filter = async (q: string): Promise<string[]> => shown((await browser.call(broker.handlers.session, '/session', { method: 'GET', query: `q=${encodeURIComponent(q)}` })).body);
    expect(await filter('DEVELOPER')).toEqual(['developer@payments-dev', 'developer@search-dev']);
    expect(await filter('Payments Prod')).toEqual(['readonly@payments-prod', OKTA('111122223333', 'Billing')]);
    expect(await filter('777788889999')).toEqual(['readonly@search-prod']);
    expect(await filter('okta-billing')).toEqual([OKTA('111122223333', 'Billing')]);
    expect(await filter('nothing-like-this')).toEqual([]);
  });

  it('GET /session from another browser, or without the picker cookie, is refused: TICKET_INVALID', async () => {
    const { browser } = await signIn();
    const stranger = new Browser();
    expect(codeOf(await stranger.call(broker.handlers.session, '/session', { method: 'GET', query: 'q=a' }))).toBe('TICKET_INVALID');
    const pick = [...browser.jar].find(([name]) => name.endsWith('fb_pick'));
    expect(pick).toBeDefined();
    const lifted = await stranger.call(broker.handlers.session, '/session', { method: 'GET', query: 'q=a', cookies: [`${pick?.[0]}=${pick?.[1]}`] });
    expect(codeOf(lifted)).toBe('TICKET_INVALID');
    expect(broker.stsCalls()).toBe(0);
  });
});
