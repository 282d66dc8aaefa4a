// SAML sign-in end to end against the local stack, driven over real HTTP: samlify as the IdP (the development
// SAML IdP, signing with its own key), SP-initiated and IdP-initiated, through ACS → picker → /session, plus
// the browser-flow attacks and SAML subject tokens on /token.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../tools/local/stack.ts';
import { errorCodeOf, formField, MiniBrowser, radioValues, type Page } from '../support/browser.ts';

let stack: LocalStack;
let idpOrigin: string;

beforeAll(async () => {
  delete process.env.BROKER_CONFIG;
  delete process.env.AWS_ENDPOINT_URL_STS;
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  stack = await startLocalStack({ port: 0, host: '127.0.0.1', env: process.env });
  idpOrigin = new URL(stack.samlIdp?.ssoUrl ?? '').origin;
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

/** The IdP page's form for one user, without posting it. */
const responseFor = async (browser: MiniBrowser, start: string): Promise<{ action: string; fields: URLSearchParams }> => {
  let page: Page = await browser.request(start);
  for (let i = 0; i < 5 && page.status >= 300 && page.status < 400; i++) page = await browser.request(new URL(page.headers.get('location') ?? '', page.url));
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
  const fields = new URLSearchParams({ SAMLResponse: formField(form?.[2] ?? '', 'SAMLResponse') ?? '' });
  const relay = formField(form?.[2] ?? '', 'RelayState');
  if (relay !== undefined) fields.set('RelayState', relay);
  return { action: form?.[1] ?? '', fields };
};

describe('SAML sign-in', () => {
  it('publishes SP metadata with our entity ID and ACS URL', async () => {
    const page = await new MiniBrowser().request(`${stack.url}/saml/metadata`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`entityID="${stack.url}/saml/metadata"`);
    expect(page.body).toContain(`Location="${stack.url}/saml/acs"`);
    expect(page.body).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
  });

  it('SP-initiated: alice reaches the role picker, then CLI credentials', async () => {
    const browser = new MiniBrowser();
    const picker = await browser.navigate(`${stack.url}/saml/login?provider=dev-saml`);
    expect(picker.status).toBe(200);
    expect(radioValues(picker.body, 'role')).toEqual(expect.arrayContaining(['dev-readonly', 'dev-poweruser']));
    const result = await browser.post(`${stack.url}/session`, new URLSearchParams({ ticket: formField(picker.body, 'ticket') ?? '', role: 'dev-readonly', target: 'cli', duration: '900' }));
    expect(result.body).toMatch(/export AWS_ACCESS_KEY_ID=ASIA/);
    expect(stack.sts?.calls.at(-1)).toMatchObject({ roleSessionName: 'alice@example.com', durationSeconds: 900, tags: expect.objectContaining({ Team: 'Platform' }) });
  });

  it('IdP-initiated (the AWS tile): alice reaches the role picker', async () => {
    const picker = await new MiniBrowser().navigate(`${idpOrigin}/idp/start?user=alice`);
    expect(picker.status).toBe(200);
    expect(picker.body).toContain('name="ticket"');
  });

  it('role and target given at login go straight to the console', async () => {
    const browser = new MiniBrowser();
    const result = await browser.navigate(`${stack.url}/saml/login?provider=dev-saml&role=dev-readonly&target=console`, undefined, (url) => url.pathname === '/__local/federation');
    expect(result.url.pathname).toBe('/__local/federation');
    expect(result.url.searchParams.get('Action')).toBe('login');
  });

  it.each([
    ['bob', 'NO_ROLE_GRANTED'],
    ['carol', 'DENIED_BY_RULE'],
  ])('%s sees a 403 page with %s', async (user, code) => {
    const page = await new MiniBrowser().navigate(`${idpOrigin}/idp/start?user=${user}`);
    expect(page.status).toBe(403);
    expect(errorCodeOf(page.body)).toBe(code);
  });
});

describe('SAML sign-in: attacks', () => {
  it('refuses the same response posted twice (replay)', async () => {
    const browser = new MiniBrowser();
    const { action, fields } = await responseFor(browser, `${idpOrigin}/idp/start?user=alice`);
    expect((await browser.post(action, fields)).status).toBe(200);
    const again = await new MiniBrowser().post(action, fields);
    expect(errorCodeOf(again.body)).toBe('REPLAY_DETECTED');
  });

  it('refuses a response to another browser\'s request (InResponseTo)', async () => {
    const victim = new MiniBrowser();
    const { action, fields } = await responseFor(victim, `${stack.url}/saml/login?provider=dev-saml`);
    const attacker = new MiniBrowser();
    await attacker.request(`${stack.url}/saml/login?provider=dev-saml`);
    expect(errorCodeOf((await attacker.post(action, fields)).body)).toBe('IN_RESPONSE_TO_MISMATCH');
  });

  it('refuses a solicited response posted without the flow cookie', async () => {
    const { action, fields } = await responseFor(new MiniBrowser(), `${stack.url}/saml/login?provider=dev-saml`);
    expect(errorCodeOf((await new MiniBrowser().post(action, fields)).body)).toBe('IN_RESPONSE_TO_MISMATCH');
  });

  it('refuses a RelayState that is not an AWS console URL (open redirect)', async () => {
    const browser = new MiniBrowser();
    const { action, fields } = await responseFor(browser, `${idpOrigin}/idp/start?user=alice&RelayState=${encodeURIComponent('https://evil.example.com/')}`);
    const page = await browser.post(action, fields);
    expect(errorCodeOf(page.body)).toBe('DESTINATION_NOT_ALLOWED');
    expect(page.headers.get('location')).toBeNull();
  });

  it('takes a console deep link from RelayState as the destination', async () => {
    const browser = new MiniBrowser();
    const deepLink = 'https://us-east-1.console.aws.amazon.com/ec2/home';
    const { action, fields } = await responseFor(browser, `${idpOrigin}/idp/start?user=alice&RelayState=${encodeURIComponent(deepLink)}`);
    const picker = await browser.post(action, fields);
    const result = await browser.post(`${stack.url}/session`, new URLSearchParams({ ticket: formField(picker.body, 'ticket') ?? '', role: 'dev-readonly', target: 'console' }));
    expect(new URL(result.headers.get('location') ?? '').searchParams.get('Destination')).toBe(deepLink);
  });

  it('escapes claim values on the pages', async () => {
    const page = await new MiniBrowser().post(`${stack.url}/saml/acs`, new URLSearchParams({ SAMLResponse: Buffer.from('<x>"><script>alert(1)</script></x>').toString('base64') }));
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('<script>alert(1)</script>');
  });
});

describe('SAML subject tokens on POST /token', () => {
  it('exchanges an IdP-initiated response for credentials', async () => {
    const { fields } = await responseFor(new MiniBrowser(), `${idpOrigin}/idp/start?user=alice`);
    const response = await fetch(`${stack.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: fields.get('SAMLResponse') ?? '',
        subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
        audience: 'dev-readonly',
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ Version: 1, AccessKeyId: expect.stringMatching(/^ASIA/) });
  });
});
