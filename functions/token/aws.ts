// The AWS clients of the function's request path, a second entry point (template.yaml EntryPoints) built as aws.mjs
// beside index.mjs and imported at the cold start (compose/modules.ts); aws-full.ts when the config has ssm: or kms:.
export { stsAdapterOf, dynamoStoresOf } from '../../shared/compose/aws-clients.ts';
