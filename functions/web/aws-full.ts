// The function's AWS clients (SSM), a second entry point (template.yaml EntryPoints) built as aws-full.mjs
// beside index.mjs: imported at the cold start only when the config has ssm: references or kms: keys.
export { ssmResolverOf } from '../../shared/compose/aws-clients.ts';
