import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionsOf, readTemplate } from '../../tools/lib/template.ts';

const root = resolve(import.meta.dirname, '../..');
const template = readTemplate();
const functions = functionsOf(template);

const actionsIn = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(actionsIn);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) =>
      key === 'Action' || key === 'NotAction' ? [value].flat().map(String) : actionsIn(value),
    );
  }
  return [];
};

describe('template.yaml', () => {
  it('parses with CloudFormation short-form tags', () => {
    expect(template.Resources.ReplayTable?.Type).toBe('AWS::DynamoDB::Table');
    expect(template.Globals?.Function?.Runtime).toBe('nodejs24.x');
    expect(template.Globals?.Function?.Architectures).toEqual(['arm64']);
  });

  it.each(functions.map((f) => [f.logicalId, f] as const))('%s: builds with esbuild from an existing entry point', (_id, fn) => {
    const resource = template.Resources[fn.logicalId];
    expect(resource?.Metadata?.BuildMethod).toBe('esbuild');
    expect(fn.entry).toMatch(/^functions\/[a-z-]+\/index\.ts$/);
    expect(existsSync(resolve(root, fn.entry))).toBe(true);
    expect(fn.routes.length).toBeGreaterThan(0);
  });

  it('routes every route of the HTTP API exactly once', () => {
    const routes = functions.flatMap((f) => f.routes.map((r) => `${r.method} ${r.path}`));
    expect(new Set(routes).size).toBe(routes.length);
    expect(routes.sort()).toEqual(
      [
        'GET /',
        'GET /saml/metadata',
        'GET /saml/login',
        'POST /saml/acs',
        'GET /oidc/login',
        'GET /oidc/callback',
        'POST /session',
        'GET /session',
        'POST /token',
        'POST /roles',
        'GET /.well-known/openid-configuration',
        'GET /.well-known/jwks.json',
        'GET /cli/authorize',
        'POST /cli/device',
        'GET /cli/device',
        'POST /cli/device/confirm',
        'POST /cli/token',
        'POST /cli/console',
        'POST /cli/revoke',
      ].sort(),
    );
  });

  it('grants no wildcard action in any policy', () => {
    const actions = Object.values(template.Resources).flatMap((r) => actionsIn(r.Properties?.Policies ?? []));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
  });

  it('gives the replay table a TTL attribute', () => {
    const table = template.Resources.ReplayTable?.Properties as { TimeToLiveSpecification?: { Enabled?: boolean; AttributeName?: string } };
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('keeps one log group with retention per function', () => {
    for (const fn of functions) {
      const logs = template.Resources[`${fn.logicalId}Logs`];
      expect(logs?.Type).toBe('AWS::Logs::LogGroup');
      expect(logs?.Properties?.RetentionInDays).toBeDefined();
    }
  });
});
