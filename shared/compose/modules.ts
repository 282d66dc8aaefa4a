// The parts of a function that its handler bundle does not carry. Each is a second entry point of the function
// (template.yaml EntryPoints), built by sam build as its own file beside index.mjs, and imported with a specifier
// computed at run time so that esbuild leaves it out of the handler's bundle (an `import('literal')` would be
// inlined). Run from source, the same siblings are the .ts files of functions/<fn>/.
//   config     the config validator (YAML, the schema, the semantic checks): only when no pre-validated copy fits
//   aws        the AWS clients of the function's request path (STS, DynamoDB), when it has any
//   aws-full   the same plus SSM (`ssm:` references) and KMS (`kms:` signing keys): instead of `aws` when the
//              config has either, so that no cold start compiles the SDK's core twice
//   saml2      the SAML subject-token verifier of /token and /roles: on the first saml2 subject token
//   tracing    Powertools Tracer and the X-Ray SDK: only when the stack turns tracing on (BROKER_TRACING)

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MiddlewareObj } from '@middy/core';
import type { validateConfigText } from '../config/validate.ts';
import type { AwsClients } from './aws-clients.ts';
import type { SamlSubjectLoader } from './subject.ts';

export interface FunctionModules {
  readonly validator: () => Promise<{ readonly validateConfigText: typeof validateConfigText }>;
  /** The validator bundle's bytes, which a pre-validated config must name; undefined when run from source. */
  readonly validatorBytes: () => Promise<Uint8Array | undefined>;
  /** `aws-full` when asked for and present, else `aws` when present, else nothing. */
  readonly awsClients: (full: boolean) => Promise<AwsClients>;
  readonly saml2: SamlSubjectLoader;
  readonly tracing: () => Promise<{ readonly createTracing: () => MiddlewareObj }>;
}

const INDEX = /\/index\.(m?[jt]s)$/;

/** The modules beside a function's entry `…/index.<ext>`: `…/<name>.<ext>` (.mjs in a bundle, .ts from source). */
export const modulesBeside = (entryUrl: string): FunctionModules => {
  const ext = INDEX.exec(entryUrl)?.[1];
  if (ext === undefined) throw new Error(`modulesBeside: ${entryUrl} is not an index module`);
  const sibling = (name: string): string => entryUrl.replace(INDEX, `/${name}.${ext}`);
  const present = (name: string): boolean => existsSync(fileURLToPath(sibling(name)));
  return {
    validator: () => import(sibling('config')) as ReturnType<FunctionModules['validator']>,
    validatorBytes: async () => (ext === 'mjs' ? readFileSync(fileURLToPath(sibling('config'))) : undefined),
    awsClients: async (full) => {
      const name = [full ? 'aws-full' : undefined, 'aws'].find((n) => n !== undefined && present(n));
      return name === undefined ? {} : ((await import(sibling(name))) as AwsClients);
    },
    saml2: () => import(sibling('saml2')) as ReturnType<SamlSubjectLoader>,
    tracing: () => import(sibling('tracing')) as ReturnType<FunctionModules['tracing']>,
  };
};
