// The SAML core's public shapes: what a provider looks like at run time, what validation needs, what it yields.

import type { KeyObject } from 'node:crypto';
import type { ReplayStore } from '../stores/replay.ts';
import type { AttributeValue } from './assertion.ts';
import type { IdpMetadata } from './metadata.ts';

export interface SamlProviderRuntime {
  readonly id: string;
  /** Parsed once per cold start from the provider's metadata. */
  readonly metadata: IdpMetadata;
  readonly allowIdpInitiated: boolean;
  readonly wantAssertionsSigned: boolean;
  readonly allowSha1: boolean;
  /** Overrides broker.maxAssertionAgeSeconds for this provider. */
  readonly maxAssertionAgeSeconds?: number | undefined;
  /** SP private key (RSA) for EncryptedAssertion, parsed when the config loaded; absent: encrypted assertions are refused. */
  readonly decryptionKey?: KeyObject | undefined;
}

export interface SamlInput {
  /** base64 or base64url of a samlp:Response, or (when `bareAssertionAllowed`) of a bare saml:Assertion. */
  readonly samlResponse: string;
  /** `POST /token` accepts a bare Assertion; the browser ACS does not. */
  readonly bareAssertionAllowed?: boolean | undefined;
}

export interface SamlValidationContext {
  readonly providers: Readonly<Record<string, SamlProviderRuntime>>;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly now: Date;
  readonly clockSkewSeconds: number;
  readonly maxAssertionAgeSeconds: number;
  /** The AuthnRequest ID this browser started; undefined for an unsolicited (IdP-initiated) response. */
  readonly expectedInResponseTo?: string | undefined;
  readonly replay: ReplayStore;
}

export interface SamlIdentity {
  readonly providerId: string;
  readonly issuer: string;
  readonly nameId: string;
  readonly nameIdFormat?: string | undefined;
  readonly assertionId: string;
  readonly inResponseTo?: string | undefined;
  /** The earliest of SubjectConfirmationData and Conditions NotOnOrAfter. */
  readonly notOnOrAfter: Date;
  readonly sessionNotOnOrAfter?: Date | undefined;
  readonly authnContextClassRef?: string | undefined;
  /**
   * Null-prototype: sub, iss, acr, and every Attribute under its full Name (same Names merged). A value is a
   * string, or `{ unreadable }` for one the broker cannot read (xsi:nil with content), which the rules refuse.
   */
  readonly rawClaims: Readonly<Record<string, readonly AttributeValue[]>>;
}
