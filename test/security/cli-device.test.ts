// The device authorization grant (docs/cli.md; RFC 8628): POST /cli/device, the verification page where a person
// checks the code and confirms that they started the sign-in (device-code phishing), and the CLI polling
// POST /cli/token with a DPoP proof. Rows: polled too fast, exchanged twice, expired, cancelled, refused by the rules,
// user-code guessing past the limit, the confirmation forged from another browser. Nothing is issued on a refusal.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../shared/errors.ts';
import { BOB } from '../support/saml-idp.ts';
import { BASE_URL, Browser, codeOf, form, hiddenField, useBrokerUnderTest, type HandlerResult } from '../support/security-broker.ts';
import { later } from '../support/security-browser.ts';
import { expectCliRefusal, expectNoSecretLeaked } from '../support/security-cli-expect.ts';
import { approveDevice, cliCall, confirmDevice, continuationOf, continueAtProvider, deviceGrant, dpopKey, proofFor, secretsOf, startDevice, type DeviceStart } from '../support/security-cli.ts';

const broker = useBrokerUnderTest({ resetStsEach: true });
afterEach(() => void vi.useRealTimers());

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

describe('POST /cli/device', () => {
  it('answers RFC 8628 §3.2: device code, XXXX-XXXX user code, verification URIs, 600 s, every 5 s', async () => {
    const result = await cliCall(broker, '/cli/device', { client_id: 'fbroker' });
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as Record<string, unknown>;
    expect(body).toMatchObject({ user_code: expect.stringMatching(USER_CODE), verification_uri: `${BASE_URL}/cli/device`, expires_in: 600, interval: 5 });
    expect(body.verification_uri_complete).toBe(`${BASE_URL}/cli/device?user_code=${String(body.user_code)}`);
    expect(String(body.device_code)).toMatch(/^[\w-]{43}$/);
    expectNoSecretLeaked(broker, { ...result, body: '' }, [String(body.device_code)]);
  });

  it.each([
    ['client_id of another client', { client_id: 'other' }, 'INVALID_CLIENT'],
    ['client_id missing', {}, 'INVALID_CLIENT'],
    ['unknown provider', { client_id: 'fbroker', provider: 'nope' }, 'UNKNOWN_PROVIDER'],
  ] as const)('refuses %s', async (_name, fields, code) => {
    expectCliRefusal(broker, await cliCall(broker, '/cli/device', fields), code, []);
  });
});

interface PollRow {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly act: (device: DeviceStart) => Promise<HandlerResult>;
  /** After the refusal the device code still yields its session (it was refused before anything was spent). */
  readonly stillCollectable?: boolean;
}

const poll = async (device: DeviceStart, fields = deviceGrant(device.deviceCode), proof?: string | null): Promise<HandlerResult> =>
  cliCall(broker, '/cli/token', fields, proof === null ? undefined : (proof ?? (await proofFor(await dpopKey(), '/cli/token'))));
const approved = async (device: DeviceStart, via: 'saml' | 'oidc' = 'oidc'): Promise<void> => {
  const page = await approveDevice(broker, device.userCode, via);
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain(device.userCode);
};

const pollRows: PollRow[] = [
  { name: 'valid: approved through OIDC, collected once', act: async (d) => (await approved(d, 'oidc'), poll(d)) },
  { name: 'valid: approved through SAML, collected once', act: async (d) => (await approved(d, 'saml'), poll(d)) },
  { name: 'polled before anyone approved', code: 'AUTHORIZATION_PENDING', act: (d) => poll(d) },
  { name: 'polled faster than the interval', code: 'SLOW_DOWN', act: async (d) => (await poll(d), poll(d)) },
  { name: 'polled again within the interval grown by slow_down (5 + 5 s)', code: 'SLOW_DOWN', act: async (d) => (await poll(d), await poll(d), later(6, () => poll(d))) },
  {
    name: 'exchanged twice',
    code: 'INVALID_GRANT',
    act: async (d) => {
      await approved(d);
      expect((await poll(d)).statusCode).toBe(200);
      broker.resetSts();
      return later(6, () => poll(d));
    },
  },
  { name: 'collected after expiry (601 s)', code: 'EXPIRED_TOKEN', act: async (d) => (await approved(d), later(601, () => poll(d))) },
  { name: 'the person cancelled it', code: 'ACCESS_DENIED', act: async (d) => (await confirmDevice(broker, new Browser(), d.userCode, 'deny'), poll(d)) },
  {
    name: 'the rules grant the signed-in identity nothing',
    code: 'ACCESS_DENIED',
    act: async (d) => {
      const browser = new Browser();
      const confirmed = await confirmDevice(broker, browser, d.userCode, 'approve:corp-saml');
      const page = await continueAtProvider(broker, browser, continuationOf(confirmed) ?? '', { saml: BOB });
      expect(page.statusCode).toBe(403);
      return poll(d);
    },
  },
  { name: 'unknown device code', code: 'INVALID_GRANT', act: (d) => poll(d, deviceGrant(`${d.deviceCode.slice(0, -2)}xx`)) },
  { name: 'no DPoP proof', code: 'DPOP_INVALID', stillCollectable: true, act: async (d) => (await approved(d), poll(d, undefined, null)) },
  { name: 'client_id of another client', code: 'INVALID_CLIENT', stillCollectable: true, act: async (d) => (await approved(d), poll(d, { ...deviceGrant(d.deviceCode), client_id: 'other' })) },
];

describe('POST /cli/token: device code grant', () => {
  it.each(pollRows)('$name', async (row) => {
    const device = await startDevice(broker);
    const result = await row.act(device);
    const secrets = secretsOf(device.deviceCode);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body) as { access_token: string; token_type: string };
      expect(body.token_type).toBe('DPoP');
      expectNoSecretLeaked(broker, { ...result, body: '' }, [...secrets, body.access_token]);
      return;
    }
    expectCliRefusal(broker, result, row.code, secrets);
    if (row.stillCollectable === true) expect((await poll(device)).statusCode).toBe(200);
  });
});

interface ConfirmRow {
  readonly name: string;
  readonly code?: ErrorCode;
  readonly act: (device: DeviceStart) => Promise<HandlerResult>;
}

const confirmRows: ConfirmRow[] = [
  { name: 'valid: the code as shown, approved', act: (d) => confirmDevice(broker, new Browser(), d.userCode, 'approve:corp-oidc') },
  { name: 'valid: the code typed lower-case without the dash', act: (d) => confirmDevice(broker, new Browser(), d.userCode.replace('-', '').toLowerCase(), 'approve:corp-oidc') },
  { name: 'a wrong code', code: 'USER_CODE_INVALID', act: (d) => confirmDevice(broker, new Browser(), d.userCode.startsWith('B') ? 'CCCC-CCCC' : 'BBBB-BBBB', 'approve:corp-oidc') },
  { name: 'a code already approved and used for a sign-in', code: 'USER_CODE_INVALID', act: async (d) => (await approveDevice(broker, d.userCode), confirmDevice(broker, new Browser(), d.userCode, 'approve:corp-oidc')) },
  { name: 'a code already cancelled', code: 'USER_CODE_INVALID', act: async (d) => (await confirmDevice(broker, new Browser(), d.userCode, 'deny'), confirmDevice(broker, new Browser(), d.userCode, 'approve:corp-oidc')) },
  { name: 'a code whose 600 s are over', code: 'USER_CODE_INVALID', act: (d) => later(601, () => confirmDevice(broker, new Browser(), d.userCode, 'approve:corp-oidc')) },
  {
    name: 'no confirm_token (a form not loaded from the page)',
    code: 'FLOW_INVALID',
    act: async (d) => {
      const browser = new Browser();
      await browser.call(broker.handlers.cli, '/cli/device', { query: `user_code=${d.userCode}` });
      return browser.call(broker.handlers.cli, '/cli/device/confirm', { body: form({ user_code: d.userCode, choice: 'approve:corp-oidc' }) });
    },
  },
  {
    name: "the confirmation posted from another browser (cross-site: the attacker's page token)",
    code: 'FLOW_INVALID',
    act: async (d) => {
      const attacker = await new Browser().call(broker.handlers.cli, '/cli/device', { query: `user_code=${d.userCode}` });
      const victim = new Browser();
      await victim.call(broker.handlers.cli, '/cli/device', {});
      return victim.call(broker.handlers.cli, '/cli/device/confirm', { body: form({ user_code: d.userCode, confirm_token: hiddenField(attacker.body, 'confirm_token') ?? '', choice: 'approve:corp-oidc' }) });
    },
  },
  {
    name: 'no device cookie (a cross-site post carries no SameSite=Strict cookie)',
    code: 'FLOW_INVALID',
    act: async (d) => {
      const page = await new Browser().call(broker.handlers.cli, '/cli/device', { query: `user_code=${d.userCode}` });
      return new Browser().call(broker.handlers.cli, '/cli/device/confirm', { body: form({ user_code: d.userCode, confirm_token: hiddenField(page.body, 'confirm_token') ?? '', choice: 'approve:corp-oidc' }) });
    },
  },
  { name: 'a choice that is neither approve nor deny', code: 'INVALID_REQUEST', act: (d) => confirmDevice(broker, new Browser(), d.userCode, 'maybe') },
  { name: 'approve with an unknown provider', code: 'UNKNOWN_PROVIDER', act: (d) => confirmDevice(broker, new Browser(), d.userCode, 'approve:nope') },
];

describe('POST /cli/device/confirm', () => {
  it.each(confirmRows)('$name', async (row) => {
    const device = await startDevice(broker);
    const result = await row.act(device);
    expect(broker.stsCalls()).toBe(0);
    if (row.code === undefined) {
      expect(result.statusCode).toBe(200);
      expect(continuationOf(result)).toBe('/oidc/login?provider=corp-oidc&cli=1');
      expect(result.cookies?.some((c) => c.startsWith('__Host-fb_cli='))).toBe(true);
      return;
    }
    expect(codeOf(result)).toBe(row.code);
    expect(result.statusCode).toBe(400);
    expect(result.headers.location).toBeUndefined();
    expect(continuationOf(result)).toBeUndefined();
    // A refused confirmation leaves the authorization pending: the CLI is still waiting, nothing was settled.
    if (row.name !== 'a code already approved and used for a sign-in' && row.name !== 'a code already cancelled' && !row.name.includes('600 s')) {
      expect(codeOf(await poll(device))).toBe('AUTHORIZATION_PENDING');
    }
  });
});

describe('user-code guessing', () => {
  /** Date frozen inside one minute of the counter's window (timers and I/O run as usual). */
  const inOneMinute = (): void => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Math.floor(Date.now() / 60_000) * 60_000 + 60_000 + 5_000);
  };

  it('after 10 wrong codes from one address within a minute, even the right code is refused (429); other addresses are not', async () => {
    inOneMinute();
    const device = await startDevice(broker);
    const wrong = device.userCode.startsWith('B') ? 'CCCC-CCCC' : 'BBBB-BBBB';
    for (let i = 0; i < 10; i++) expect(codeOf(await confirmDevice(broker, new Browser(), wrong, 'approve:corp-oidc', '198.51.100.9'))).toBe('USER_CODE_INVALID');
    const right = await confirmDevice(broker, new Browser(), device.userCode, 'approve:corp-oidc', '198.51.100.9');
    expect(right.statusCode).toBe(429);
    expect(codeOf(right)).toBe('TOO_MANY_ATTEMPTS');
    expect(right.headers.location).toBeUndefined();
    expect(continuationOf(right)).toBeUndefined();
    const elsewhere = await confirmDevice(broker, new Browser(), device.userCode, 'approve:corp-oidc', '198.51.100.10');
    expect(continuationOf(elsewhere)).toBe('/oidc/login?provider=corp-oidc&cli=1');
  });

  it('9 wrong codes leave the right one accepted', async () => {
    inOneMinute();
    const device = await startDevice(broker);
    const wrong = device.userCode.startsWith('B') ? 'CCCC-CCCC' : 'BBBB-BBBB';
    for (let i = 0; i < 9; i++) await confirmDevice(broker, new Browser(), wrong, 'approve:corp-oidc', '198.51.100.11');
    expect(continuationOf(await confirmDevice(broker, new Browser(), device.userCode, 'approve:corp-oidc', '198.51.100.11'))).toBeDefined();
  });

  it('the next minute starts a new count', async () => {
    inOneMinute();
    const device = await startDevice(broker);
    const wrong = device.userCode.startsWith('B') ? 'CCCC-CCCC' : 'BBBB-BBBB';
    for (let i = 0; i < 10; i++) await confirmDevice(broker, new Browser(), wrong, 'approve:corp-oidc', '198.51.100.12');
    vi.setSystemTime(Date.now() + 60_000);
    expect(continuationOf(await confirmDevice(broker, new Browser(), device.userCode, 'approve:corp-oidc', '198.51.100.12'))).toBeDefined();
  });
});
