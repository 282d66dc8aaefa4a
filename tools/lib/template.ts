// Reads template.yaml as SAM does: CloudFormation short-form tags (!Ref, !Sub, !GetAtt, …) kept as
// `{ "Fn::…": … }` objects, functions resolved to their esbuild entry point, routes to their function.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type Tags } from 'yaml';

const FN_TAGS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'Not', 'Or', 'Condition'];

const cfnTags: Tags = [{ tag: '!Ref', resolve: (value: string) => ({ Ref: value }) }];

for (const name of FN_TAGS) {
  const key = name === 'Condition' ? 'Condition' : `Fn::${name}`;
  const toValue = (value: unknown): unknown => (name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split('.') } : { [key]: value });
  cfnTags.push({ tag: `!${name}`, resolve: (value: string) => toValue(value) });
  cfnTags.push({ tag: `!${name}`, collection: 'seq', resolve: (value: { toJSON: () => unknown }) => toValue(value.toJSON()) });
  cfnTags.push({ tag: `!${name}`, collection: 'map', resolve: (value: { toJSON: () => unknown }) => toValue(value.toJSON()) });
}

export interface Template {
  readonly Parameters?: Record<string, { Default?: unknown }>;
  readonly Globals?: { Function?: Record<string, unknown> };
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

export const readTemplate = (file = resolve(import.meta.dirname, '../../template.yaml')): Template =>
  parse(readFileSync(file, 'utf8'), { customTags: cfnTags }) as Template;

export interface FunctionDef {
  readonly logicalId: string;
  /** The TypeScript entry point, relative to the repo root (Metadata.BuildProperties.EntryPoints[0]). */
  readonly entry: string;
  /** The exported name from `Handler` (index.handler → handler). */
  readonly exportName: string;
  readonly environment: Record<string, unknown>;
  readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>;
  readonly policies: unknown;
}

export const functionsOf = (template: Template): FunctionDef[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Serverless::Function')
    .map(([logicalId, r]) => {
      const props = r.Properties ?? {};
      const build = (r.Metadata?.BuildProperties ?? {}) as { EntryPoints?: string[] };
      const handler = String(props.Handler ?? 'index.handler');
      const events = (props.Events ?? {}) as Record<string, { Type: string; Properties: { Method: string; Path: string } }>;
      const globalEnv = ((template.Globals?.Function?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
      const ownEnv = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables) ?? {};
      return {
        logicalId,
        entry: build.EntryPoints?.[0] ?? '',
        exportName: handler.slice(handler.lastIndexOf('.') + 1),
        environment: { ...globalEnv, ...ownEnv },
        routes: Object.values(events)
          .filter((e) => e.Type === 'HttpApi')
          .map((e) => ({ method: e.Properties.Method.toUpperCase(), path: e.Properties.Path })),
        policies: props.Policies,
      };
    });
