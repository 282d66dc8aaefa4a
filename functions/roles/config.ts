// The function's config validator, a second entry point (template.yaml EntryPoints) built as config.mjs beside
// index.mjs: imported at the cold start only when no pre-validated config fits (compose/modules.ts).
export { validateConfigText } from '../../shared/compose/config-validator.ts';
