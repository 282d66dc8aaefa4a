// The server-rendered pages: every value that came from outside (a claim, a subject, a config label, a ticket) is
// escaped; styles and the one static script run only under the response's nonce; forms post only where allowed.

import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsCredentials } from '../../../shared/issuance/sts.ts';
import { landingPage } from '../../../shared/http/landing.ts';
import { credentialsPage, formatDuration, pickerPage } from '../../../shared/http/pages.ts';
import type { RoleOutcome } from '../../../shared/rules/index.ts';
import { configFrom } from '../../support/config.ts';
import { flowConfigDocument } from '../../support/flows.ts';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;

const role = (overrides: Partial<RoleOutcome> = {}): RoleOutcome => ({
  id: 'readonly',
  arn: 'arn:aws:iam::111122223333:role/ReadOnly',
  label: 'Read only',
  ruleId: 'devs',
  maxSessionSeconds: 3600,
  issuance: 'assume-role',
  session: { name: 'alice@example.com', tags: {}, transitiveTags: [], policyArns: [], durationSeconds: 3600, durationBoundBy: 'role' },
  ...overrides,
});
const credentials: AwsCredentials = { accessKeyId: 'ASIAPAGE0001', secretAccessKey: 'page-secret', sessionToken: 'page-session-token', expiration: new Date('2026-11-22T13:00:00Z') };

/** Nothing of the hostile value survives as markup: no tag, no attribute break-out. */
const expectInert = (html: string): void => {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toContain(HOSTILE);
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
};

const cspOf = (headers: Record<string, string>): string => headers['content-security-policy'] ?? '';

describe('pickerPage', () => {
  it('escapes the subject, role labels, the ticket and the destination', () => {
    const result = pickerPage({ ticket: HOSTILE, roles: [role({ label: HOSTILE })], defaultSeconds: 3600, destination: HOSTILE, who: HOSTILE });
    expectInert(result.body ?? '');
    expect(result.body).toContain('name="ticket" value="&quot;&gt;&lt;script&gt;');
  });

  it('offers each role, the first chosen, and durations up to the longest role', () => {
    const { body = '' } = pickerPage({ ticket: 't', roles: [role(), role({ id: 'web', session: { ...role().session, durationSeconds: 7200 } })], defaultSeconds: 3600, who: 'alice' });
    expect([...body.matchAll(/name="role" value="([^"]+)"/g)].map((m) => m[1])).toEqual(['readonly', 'web']);
    expect([...body.matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([900, 1800, 3600, 7200]);
    expect(body).toMatch(/<option value="3600" selected>/);
  });

  it('allows its form to post to the broker and the targets given only (CSP form-action), with no inline script', () => {
    const csp = cspOf(pickerPage({ ticket: 't', roles: [role()], defaultSeconds: 3600, who: 'a' }, { formTargets: ['https://signin.aws.amazon.com'] }).headers);
    expect(csp).toContain("form-action 'self' https://signin.aws.amazon.com;");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('credentialsPage', () => {
  it('escapes the role label, ARN and session name', () => {
    const result = credentialsPage({ credentials, role: role({ label: HOSTILE, arn: HOSTILE, session: { ...role().session, name: HOSTILE } }), profile: 'readonly' });
    expectInert(result.body ?? '');
  });

  it('shows the credentials in the three forms, valid until their expiration (RFC 3339)', () => {
    const { body = '' } = credentialsPage({ credentials, role: role(), profile: 'readonly' });
    expect(body).toContain('export AWS_SECRET_ACCESS_KEY=page-secret');
    expect(body).toContain('aws_session_token = page-session-token');
    expect(body).toContain('&quot;Expiration&quot;: &quot;2026-11-22T13:00:00Z&quot;');
  });

  it('runs its copy script under the response nonce only, and is never cached', () => {
    const result = credentialsPage({ credentials, role: role(), profile: 'readonly' });
    const nonce = /script-src 'nonce-([^']+)'/.exec(cspOf(result.headers))?.[1];
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(result.body).toContain(`<script nonce="${nonce}">`);
    expect(result.headers['cache-control']).toBe('no-store');
  });

  it('draws a fresh nonce for every response', () => {
    const a = cspOf(credentialsPage({ credentials, role: role(), profile: 'p' }).headers);
    const b = cspOf(credentialsPage({ credentials, role: role(), profile: 'p' }).headers);
    expect(a).not.toBe(b);
  });
});

describe('landingPage', () => {
  let config: Awaited<ReturnType<typeof configFrom>>;
  beforeAll(async () => {
    const document = flowConfigDocument() as { providers: Record<string, Record<string, unknown>> };
    document.providers['corp-saml'] = { ...document.providers['corp-saml'], label: HOSTILE };
    config = await configFrom(document);
  });

  it('escapes provider labels and links each browser provider to its login', () => {
    const { body = '' } = landingPage(config);
    expectInert(body);
    expect(body).toContain('href="/saml/login?provider=corp-saml"');
    expect(body).toContain('href="/oidc/login?provider=corp-oidc"');
  });
});

describe('formatDuration', () => {
  it.each([
    [900, '15 min'],
    [3600, '1 h'],
    [5400, '1 h 30 min'],
    [43_200, '12 h'],
  ])('%i s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
