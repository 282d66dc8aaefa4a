// The identifier shapes the config, the HTTP layer and the pages share, written once.

/** Provider, role and rule ids: letters, digits, '.', '_', '-', at most 64, starting with a letter or digit. */
export const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A role instance's id: a plain role, or `<role>@<account>` for one account's instance of a role template. */
export const ROLE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(?:@[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/;
/** An IAM role ARN of any partition. */
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An IAM managed policy ARN (AWS-managed or of an account). */
export const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/;
/** What names a role in a request (audience, the picker's choice): its id, or for an IdP-asserted role its ARN. */
export const isRoleRef = (value: string): boolean => ROLE_ID.test(value) || ROLE_ARN.test(value);
/** The 12-digit account id inside an IAM ARN, or undefined. */
export const accountIdOf = (arn: string): string | undefined => /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];

/** Loopback hosts: http:// is accepted on them for development and tests (URL.hostname spelling). */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.includes(hostname);
/** https://, or http:// on a loopback host. */
export const isSecureOrLoopbackUrl = (url: URL): boolean => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
