// Shapes the pure rules engine works on. The config module produces them; nothing here knows about YAML,
// HTTP, AWS or any identity protocol.

/** Every claim is a set of strings (scalar = set of one, missing = empty), held in a null-prototype object. */
export type Claims = Readonly<Record<string, readonly string[]>>;

export type ConditionScalar = string | number | boolean;
/** `{ "ForAnyValue:StringLike": { groups: ["aws-*"] } }` */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, ConditionScalar | readonly ConditionScalar[]>>>>;

export type Issuance = 'assume-role' | 'web-identity';

export interface RoleDef {
  readonly arn: string;
  readonly label?: string | undefined;
  readonly maxSessionSeconds: number;
  readonly issuance: Issuance;
}

export interface SessionSpec {
  readonly maxSeconds?: number | undefined;
  readonly name?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly transitiveTags?: readonly string[] | undefined;
  readonly policyArns?: readonly string[] | undefined;
  readonly policy?: unknown;
}

export interface Rule {
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  readonly providers?: readonly string[] | undefined;
  readonly roles: readonly string[];
  readonly conditions?: ConditionBlock | undefined;
  readonly session?: SessionSpec | undefined;
}

export interface Policy {
  readonly roles: Readonly<Record<string, RoleDef>>;
  readonly rules: readonly Rule[];
}
