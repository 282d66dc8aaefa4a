// The device authorization grant (RFC 8628) for headless sign-in: POST /cli/device gives the CLI a device code and a
// person a user code; on the verification page the person enters or checks the code and confirms that they started
// this sign-in themselves (device-code phishing: an attacker's code sent to a victim) — only then does the
// provider's sign-in start. Wrong codes are counted per source address; past the limit every entry is refused.

import { createHash, randomBytes } from 'node:crypto';
import { auditRecord, type AuditSink } from '../audit/audit.ts';
import type { BrokerConfig } from '../config/index.ts';
import { BrokerError } from '../errors.ts';
import { formatUserCode, newUserCode, normaliseUserCode } from '../oauth/user-code.ts';
import type { RequestContext } from '../request.ts';
import type { CliStore, DeviceRecord } from '../stores/cli-store.ts';
import type { Sealer } from '../stores/seal.ts';
import { browserProvidersOf, type BrowserProvider } from './cli-authorize.ts';
import { CLI_CLIENT_ID, type CliSignInRequest } from './cli-sign-in.ts';

export const DEVICE_CODE_SECONDS = 600;
export const DEVICE_POLL_SECONDS = 5;
/** Wrong user codes accepted from one source address per minute; past it, every entry that minute is refused. */
export const USER_CODE_GUESSES_PER_MINUTE = 10;
const MAX_DRAWS = 5;

export const deviceIdOf = (deviceCode: string): string => createHash('sha256').update(deviceCode, 'utf8').digest('base64url');

/** RFC 8628 §3.2. */
export interface DeviceAuthorization {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

/** The confirmation form's anti-forgery value: bound to the browser that loaded the page (its cookie). */
export interface ConfirmToken {
  readonly browser: string;
}

export interface DeviceDeps {
  readonly config: BrokerConfig;
  readonly store: CliStore;
  readonly confirmTokens: Sealer<ConfirmToken>;
  readonly audit: AuditSink;
}

export interface DevicePage {
  /** The code as the person should see it (XXXX-XXXX), when the link carried one. */
  readonly userCode?: string | undefined;
  readonly providers: readonly BrowserProvider[];
  readonly confirmToken: string;
}

export interface ConfirmForm {
  readonly userCode?: string | undefined;
  readonly confirmToken?: string | undefined;
  /** `approve` (with the provider to sign in with) or `deny`. */
  readonly decision?: string | undefined;
  readonly provider?: string | undefined;
}

export type ConfirmOutcome =
  | { readonly kind: 'sign-in'; readonly provider: BrowserProvider; readonly request: CliSignInRequest }
  | { readonly kind: 'denied'; readonly userCode: string };

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');

export const createDeviceFlow = (deps: DeviceDeps) => {
  const verificationUri = `${deps.config.broker.baseUrl}/cli/device`;
  const providers = browserProvidersOf(deps.config);

  /** POST /cli/device. */
  const start = async (params: { readonly clientId?: string | undefined; readonly provider?: string | undefined }, ctx: RequestContext, now: Date): Promise<DeviceAuthorization> => {
    if (params.clientId !== CLI_CLIENT_ID) throw new BrokerError('INVALID_CLIENT', 'client_id is not fbroker');
    if (params.provider !== undefined && !providers.some((p) => p.id === params.provider)) throw new BrokerError('UNKNOWN_PROVIDER', 'no browser sign-in provider by that id');
    const deviceCode = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + DEVICE_CODE_SECONDS * 1000);
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const record: DeviceRecord = { id: deviceIdOf(deviceCode), userCode: newUserCode(), provider: params.provider, status: 'pending', expiresAt, interval: DEVICE_POLL_SECONDS };
      if (await deps.store.putDevice(record, now)) {
        deps.audit({ ...auditRecord('/cli/device', ctx, now), decision: 'grant', code: 'DEVICE_CODE_ISSUED' });
        const shown = formatUserCode(record.userCode);
        return {
          device_code: deviceCode,
          user_code: shown,
          verification_uri: verificationUri,
          verification_uri_complete: `${verificationUri}?user_code=${shown}`,
          expires_in: DEVICE_CODE_SECONDS,
          interval: DEVICE_POLL_SECONDS,
        };
      }
    }
    throw new BrokerError('INTERNAL', 'no free user code after several draws');
  };

  /** GET /cli/device: what the page shows, and the anti-forgery token its form must send back from this browser. */
  const page = (userCode: string | undefined, browserId: string, now: Date): DevicePage => {
    const normalised = normaliseUserCode(userCode);
    return {
      userCode: normalised === undefined ? undefined : formatUserCode(normalised),
      providers,
      confirmToken: deps.confirmTokens.seal({ browser: digest(browserId) }, new Date(now.getTime() + DEVICE_CODE_SECONDS * 1000)),
    };
  };

  /** POST /cli/device/confirm: the person's answer for one user code. */
  const confirm = async (form: ConfirmForm, browserId: string | undefined, ctx: RequestContext, now: Date): Promise<ConfirmOutcome> => {
    // Cross-site forgery: only a form this browser loaded from the broker may confirm (or deny) a code.
    if (form.confirmToken === undefined || browserId === undefined) throw new BrokerError('FLOW_INVALID', 'the confirmation did not come from the verification page');
    if (deps.confirmTokens.open(form.confirmToken, now).browser !== digest(browserId)) throw new BrokerError('FLOW_INVALID', 'the confirmation came from another browser');
    // Guessing: after the limit, every entry from this address this minute is refused — a right one included.
    const window = `${ctx.sourceIp ?? 'unknown'}#${Math.floor(now.getTime() / 60_000)}`;
    if ((await deps.store.failures(window)) >= USER_CODE_GUESSES_PER_MINUTE) throw new BrokerError('TOO_MANY_ATTEMPTS', 'too many wrong user codes from this address');
    const code = normaliseUserCode(form.userCode);
    const record = code === undefined ? undefined : await deps.store.deviceByUserCode(code);
    if (!code || !record || record.status !== 'pending' || record.expiresAt.getTime() <= now.getTime()) {
      await deps.store.countFailure(window, new Date(now.getTime() + 120_000));
      deps.audit({ ...auditRecord('/cli/device/confirm', ctx, now), code: 'USER_CODE_INVALID' });
      throw new BrokerError('USER_CODE_INVALID', 'unknown, settled or expired user code');
    }
    if (form.decision === 'deny') {
      await deps.store.settleDevice(record.id, { status: 'denied' });
      deps.audit({ ...auditRecord('/cli/device/confirm', ctx, now), code: 'ACCESS_DENIED' });
      return { kind: 'denied', userCode: formatUserCode(code) };
    }
    if (form.decision !== 'approve') throw new BrokerError('INVALID_REQUEST', 'decision must be approve or deny', { publicDetail: 'Confirm or cancel the sign-in.' });
    const providerId = form.provider ?? record.provider ?? (providers.length === 1 ? providers[0]?.id : undefined);
    const provider = providers.find((p) => p.id === providerId);
    if (!provider) throw new BrokerError('UNKNOWN_PROVIDER', 'choose a provider to sign in with');
    return { kind: 'sign-in', provider, request: { kind: 'device', deviceId: record.id, userCode: formatUserCode(code) } };
  };

  return { start, page, confirm };
};

export type DeviceFlow = ReturnType<typeof createDeviceFlow>;

export const parseConfirmToken = (value: unknown): ConfirmToken | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { browser?: unknown }).browser === 'string' ? { browser: (value as { browser: string }).browser } : undefined;
