// The function's AWS clients with KMS and SSM as well, a second entry point (template.yaml EntryPoints) built as
// aws-full.mjs: imported at the cold start instead of aws.mjs when the config has ssm: references or kms: keys.
export { stsAdapterOf, dynamoStoresOf, kmsSigningKeysOf, ssmResolverOf } from '../../shared/compose/aws-clients.ts';
