// samlify's side of the broker: it refuses to parse anything without a schema validator, and gets the broker's
// strict structural validator, so that nothing samlify parses (the dev and test IdPs parse AuthnRequests with
// it) escapes the same checks. Importing this module registers it. The broker's own SP documents (metadata,
// AuthnRequest) no longer go through samlify (service-provider.ts); they are re-exported here for existing callers.

import { setSchemaValidator } from 'samlify';
import { validateSamlStructure } from './structure.ts';

setSchemaValidator({ validate: validateSamlStructure });

export { buildLoginRedirect, spMetadataXml, spSettingsOf, type SpSettings } from './service-provider.ts';
export { validateSamlStructure } from './structure.ts';
