// Shapes the pure rules engine works on. The config module produces them; nothing here knows about YAML,
// HTTP, AWS or any identity protocol.

/** Every claim is a set of strings (scalar = set of one, missing = empty), held in a null-prototype object. */
export type Claims = Readonly<Record<string, readonly string[]>>;

export type ConditionScalar = string | number | boolean;
/** `{ "ForAnyValue:StringLike": { groups: ["aws-*"] } }` */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, ConditionScalar | readonly ConditionScalar[]>>>>;

export type Issuance = 'assume-role' | 'web-identity';

/** An AWS account the config names (`accounts:` or `accountsFile:`): the target keys of the roles in it. */
export interface Account {
  /** 12 digits. */
  readonly id: string;
  /** The account's name in the config (`broker:account:name`, the part after `@` in role ids). */
  readonly name: string;
  readonly label?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** One role instance: a plain role, one account's instance of a role template, or a role the IdP asserted. */
export interface RoleDef {
  readonly arn: string;
  readonly label?: string | undefined;
  readonly maxSessionSeconds: number;
  readonly issuance: Issuance;
  /** `broker:role`: the role's id without the account (the template's id; `asserted`). Default: the role's own id. */
  readonly role?: string | undefined;
  /** The known account the role is in; undefined when its ARN names no account of the config. */
  readonly account?: Account | undefined;
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
