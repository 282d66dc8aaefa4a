// BrokerError across bundles: the token and roles functions load the SAML verifier from a second bundle
// (saml2.mjs) with its own copy of shared/errors.ts; its errors must keep their code and status in the handler.
import { describe, expect, it } from 'vitest';
import type * as Errors from '../../shared/errors.ts';
import { BrokerError } from '../../shared/errors.ts';

describe('BrokerError', () => {
  it('recognises an error made by another copy of the module (another bundle) as a BrokerError', async () => {
    // A query string makes the module loader evaluate the file a second time: a separate class, as in saml2.mjs.
    const copy = (await import(/* @vite-ignore */ new URL('../../shared/errors.ts?second-bundle', import.meta.url).href)) as typeof Errors;
    expect(copy.BrokerError).not.toBe(BrokerError);
    const error: unknown = new copy.BrokerError('SAML_INVALID', 'from the other bundle');
    expect(error instanceof BrokerError).toBe(true);
    expect(error instanceof BrokerError && error.status).toBe(400);
    expect(new BrokerError('STS_UNAVAILABLE') instanceof copy.BrokerError).toBe(true);
  });

  it('does not take look-alikes for one: no brand, or a brand with a code outside the table', () => {
    const lookAlike = Object.assign(new Error('x'), { name: 'BrokerError', code: 'SAML_INVALID' });
    expect(lookAlike instanceof BrokerError).toBe(false);
    const badCode = Object.assign(new Error('x'), { [Symbol.for('federation-broker.BrokerError')]: true, code: 'NOT_A_CODE' });
    expect(badCode instanceof BrokerError).toBe(false);
    expect((null as unknown) instanceof BrokerError).toBe(false);
    expect(new TypeError('x') instanceof BrokerError).toBe(false);
  });
});
