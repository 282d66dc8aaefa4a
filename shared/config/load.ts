// Loading the config file in one go, as the tools and tests do: validate (shared/config/validate.ts), then resolve the
// references and parse the key material (shared/config/resolve.ts). The functions do the same in two steps at their
// cold start (shared/compose/broker.ts), so that a pre-validated copy can stand in for the first.

import { completeConfig, readConfigFile, type BrokerConfig, type LoadOptions } from './resolve.ts';
import { validated, validateConfigText } from './validate.ts';

export { ConfigError, completeConfig, fileReaderFor, type BrokerConfig, type LoadOptions, type Problem, type SsmResolver, type ValidatedConfig } from './resolve.ts';
export { parseConfigText, validateConfig, validateConfigText, type Validated, type ValidateOptions } from './validate.ts';

/** Validates data already parsed from `file` (used by tests and the CLI) and resolves its references. */
export const buildConfig = async (data: unknown, file: string, options: LoadOptions = {}): Promise<BrokerConfig> =>
  completeConfig(validated(data, file, { warnings: options.warnings }), file, options);

export const loadConfigFile = async (file: string, options: LoadOptions = {}): Promise<BrokerConfig> =>
  completeConfig(await validateConfigText((await readConfigFile(file)).toString('utf8'), file, { warnings: options.warnings }), file, options);
