// Builders for config documents used across tests: one valid base, mutated per test.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildConfig, type BrokerConfig } from '../../shared/config/index.ts';

/** The example IdP metadata of config/ (a public certificate only): what check-config parses like any IdP's. */
export const EXAMPLE_IDP_METADATA = readFileSync(resolve(import.meta.dirname, '../../config/example-idp-metadata.xml'), 'utf8');

export const baseConfig = (): Record<string, any> => ({
  version: 1,
  broker: { baseUrl: 'https://broker.example.com' },
  providers: {
    'corp-saml': {
      type: 'saml',
      metadataXml: EXAMPLE_IDP_METADATA,
      allowIdpInitiated: true,
      claims: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
      },
    },
    'corp-oidc': {
      type: 'oidc',
      issuer: 'https://idp.example.com',
      clientId: 'broker',
      audiences: ['broker', 'mobile-app'],
      claims: { groups: '/realm_access/roles' },
    },
  },
  roles: {
    'dev-readonly': { arn: 'arn:aws:iam::111122223333:role/DevReadOnly', label: 'Dev read only', maxSessionSeconds: 3600 },
    'prod-admin': { arn: 'arn:aws:iam::444455556666:role/ProdAdmin', maxSessionSeconds: 43200, issuance: 'web-identity' },
  },
  rules: [
    { id: 'no-contractors', effect: 'deny', roles: ['*'], conditions: { 'ForAnyValue:StringEquals': { groups: ['contractors'] } } },
    {
      id: 'engineers-dev',
      roles: ['dev-readonly'],
      conditions: { StringLike: { email: '*@example.com' }, 'ForAnyValue:StringLike': { groups: ['aws-dev', 'eng-*'] } },
      session: { name: '${email}', tags: { Team: '${department}', Groups: '${groups}' }, transitiveTags: ['Team'] },
    },
    {
      id: 'admins-prod',
      providers: ['corp-oidc'],
      roles: ['prod-admin'],
      conditions: { 'ForAnyValue:StringEquals': { groups: ['prod-admins'] }, Bool: { 'broker:mfa': true } },
      session: { maxSeconds: 28800, name: '${email}', sourceIdentity: '${email}' },
    },
  ],
});

export const configFrom = (data: unknown, options: Parameters<typeof buildConfig>[2] = { resolveSecrets: false }): Promise<BrokerConfig> =>
  buildConfig(data, '/virtual/broker.yaml', options);
