// Demo users of the development IdP. DEV-ONLY: these passwords are public (npm start prints them); they exist
// so that a browser or a test can sign in end to end. Never reuse them, never configure a real IdP like this.

import { createHash, timingSafeEqual } from 'node:crypto';

export interface DevUser {
  readonly username: string;
  /** DEV-ONLY password, public by design. */
  readonly password: string;
  /** One line for `npm start` and the login page: what this user is for. */
  readonly description: string;
  /** The `sub` of this user's ID tokens. */
  readonly sub: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly department?: string;
  /** Authentication methods reported in `amr` (RFC 8176). */
  readonly amr: readonly string[];
  /** `acr` reported when set. */
  readonly acr?: string;
}

export const REFEDS_MFA = 'https://refeds.org/profile/mfa';
export const REFEDS_SFA = 'https://refeds.org/profile/sfa';

export const DEV_USERS: readonly DevUser[] = [
  {
    username: 'alice',
    password: 'alice-dev-password',
    description: 'platform engineer, MFA (amr pwd+mfa, acr REFEDS MFA)',
    sub: 'alice',
    email: 'alice@example.com',
    name: 'Alice Example',
    groups: ['aws-dev', 'eng-platform'],
    department: 'Platform',
    amr: ['pwd', 'mfa'],
    acr: REFEDS_MFA,
  },
  {
    username: 'bob',
    password: 'bob-dev-password',
    description: 'developer without MFA (amr pwd, acr REFEDS SFA)',
    sub: 'bob',
    email: 'bob@example.com',
    name: 'Bob Example',
    groups: ['aws-dev'],
    amr: ['pwd'],
    acr: REFEDS_SFA,
  },
  {
    username: 'carol',
    password: 'carol-dev-password',
    description: 'contractor with a one-time code (amr pwd+otp, no acr)',
    sub: 'carol',
    email: 'carol@example.com',
    name: 'Carol Example',
    groups: ['contractors', 'aws-dev'],
    amr: ['pwd', 'otp'],
  },
];

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The user whose username and password match; compares digests in constant time, also for unknown users. */
export const authenticate = (users: readonly DevUser[], username: string, password: string): DevUser | undefined => {
  const user = users.find((u) => u.username === username);
  const ok = timingSafeEqual(digest(password), digest(user?.password ?? `\u0000${password}`));
  return ok && user ? user : undefined;
};

/** The claims this user's tokens carry, by claim name (the provider filters them by granted scope). */
export const claimsOf = (user: DevUser): Record<string, unknown> => ({
  sub: user.sub,
  email: user.email,
  email_verified: true,
  name: user.name,
  preferred_username: user.username,
  groups: [...user.groups],
  ...(user.department === undefined ? {} : { department: user.department }),
});
