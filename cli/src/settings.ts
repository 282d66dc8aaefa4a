// Everything fbroker takes from its surroundings, read in one place: the broker URL, the cache folder, $BROWSER,
// and the options that shape a sign-in.

import { isAbsolute, resolve } from 'node:path';
import envPaths from 'env-paths';
import { flag, integerOption, stringOption, type ParsedOptions } from './args.ts';
import { parseBrokerUrl } from './broker-url.ts';
import { brokerCache } from './cache.ts';
import type { Output } from './output.ts';
import type { Context } from './session.ts';
import { usageError } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_SIGN_IN_TIMEOUT_S = 300;

/** $FBROKER_CACHE_DIR, else the per-user cache folder ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches, %LOCALAPPDATA%). */
export const cacheRoot = (env: Env): string => {
  const override = env.FBROKER_CACHE_DIR;
  if (override !== undefined && override !== '') return isAbsolute(override) ? override : resolve(override);
  return envPaths('federation-broker', { suffix: '' }).cache;
};

export const buildContext = (options: ParsedOptions, env: Env, io: Output, now: () => number = Date.now): Context => {
  const broker = parseBrokerUrl(stringOption(options, 'broker') ?? env.FBROKER_URL);
  const provider = stringOption(options, 'provider');
  const callbackPort = integerOption(options, 'callback-port', 1024, 65535);
  if (flag(options, 'device') && callbackPort !== undefined) throw usageError('--callback-port is for the browser sign-in, not --device');
  return {
    broker,
    cache: brokerCache(cacheRoot(env), broker),
    io,
    now,
    signIn: {
      device: flag(options, 'device'),
      noBrowser: flag(options, 'no-browser'),
      timeoutMs: (integerOption(options, 'timeout', 1, 3600) ?? DEFAULT_SIGN_IN_TIMEOUT_S) * 1000,
      ...(provider === undefined ? {} : { provider }),
      ...(callbackPort === undefined ? {} : { callbackPort }),
      ...(env.BROWSER === undefined || env.BROWSER.trim() === '' ? {} : { browserEnv: env.BROWSER }),
    },
  };
};
