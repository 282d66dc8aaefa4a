// Where `explain` gets the identity from: a claims file (as a token would carry them), a JWT verified against
// its provider, or a captured SAML response verified against the provider's metadata.

import { readFile } from 'node:fs/promises';
import type { BrokerConfig } from '../../shared/config/index.ts';
import { BrokerError } from '../../shared/errors.ts';
import { identityInput } from '../../shared/identity/rules-input.ts';
import { fromSaml, idpSecondsLeft } from '../../shared/identity/verified-identity.ts';
import type { ReplayStore } from '../../shared/stores/replay.ts';
import type { Explained } from '../../shared/identity/explain.ts';
import { decide } from '../../shared/rules/index.ts';

export type IdentitySource =
  | { readonly kind: 'claims'; readonly raw: Readonly<Record<string, unknown>> }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'saml'; readonly file: string };

export interface ExplainRequest {
  readonly provider: string;
  readonly source: IdentitySource;
  readonly role?: { readonly id?: string; readonly arn?: string } | undefined;
  readonly sourceIp?: string | undefined;
  readonly requestedSeconds?: number | undefined;
  readonly at: Date;
}

/** `explain` is a dry run: an assertion it verifies is not recorded as used. */
const DRY_RUN: ReplayStore = { claimOnce: async () => undefined };

const rawClaimsOf = async (config: BrokerConfig, request: ExplainRequest): Promise<{ raw: Readonly<Record<string, unknown>>; idpSecondsLeft?: number | undefined }> => {
  switch (request.source.kind) {
    case 'claims':
      return { raw: request.source.raw };
    case 'token': {
      // Verified exactly as POST /token would (signature, issuer, audience, times at --at); a jti is not spent.
      const { createOidcVerifier } = await import('../../shared/oidc/index.ts');
      const verified = await createOidcVerifier(config).verify(request.source.token, request.at, { providerId: request.provider, consumeJti: false });
      return { raw: verified.claims };
    }
    case 'saml': {
      // Verified as POST /saml/acs would at --at, against a throw-away replay store (nothing is spent). A captured
      // SP-initiated response is taken as answering the request it names (explain has no browser flow to match).
      const saml = await import('../../shared/saml/index.ts');
      let text: string;
      try {
        text = (await readFile(request.source.file, 'utf8')).trim();
      } catch {
        throw new BrokerError('INVALID_REQUEST', `--saml-response ${request.source.file}: not readable`);
      }
      const encoded = text.startsWith('<') ? Buffer.from(text, 'utf8').toString('base64') : decodeURIComponent(text.replace(/^SAMLResponse=/, ''));
      const xml = Buffer.from(encoded, 'base64').toString('utf8');
      const inResponseTo = /\bInResponseTo="([^"]{1,256})"/.exec(xml)?.[1];
      const sp = saml.spSettingsOf(config);
      const identity = await saml.validateSamlResponse(
        { samlResponse: encoded, bareAssertionAllowed: true },
        {
          providers: saml.samlProvidersOf(config),
          spEntityId: sp.entityId,
          acsUrl: sp.acsUrl,
          now: request.at,
          clockSkewSeconds: config.broker.clockSkewSeconds,
          maxAssertionAgeSeconds: config.broker.maxAssertionAgeSeconds,
          expectedInResponseTo: inResponseTo,
          replay: DRY_RUN,
        },
      );
      if (identity.providerId !== request.provider) throw new BrokerError('ISSUER_MISMATCH', `the response comes from provider ${identity.providerId}`);
      const verified = fromSaml(identity);
      return { raw: verified.rawClaims, idpSecondsLeft: idpSecondsLeft(verified, request.at) };
    }
  }
};

export const explainIdentity = async (config: BrokerConfig, request: ExplainRequest): Promise<Explained> => {
  let verified: Awaited<ReturnType<typeof rawClaimsOf>>;
  try {
    verified = await rawClaimsOf(config, request);
  } catch (error) {
    // A token or assertion the broker refuses is a decision too (deny, with its code); an IdP it cannot reach is not.
    if (error instanceof BrokerError && error.status < 500 && error.code !== 'NOT_IMPLEMENTED') {
      return { outcome: 'deny', code: error.code, detail: error.message, trace: [], notes: [`identity proof refused: ${error.code}`] };
    }
    throw error;
  }
  const { raw, idpSecondsLeft } = verified;
  const { malformedAsserted: _logged, ...input } = identityInput(config, request.provider, raw, { sourceIp: request.sourceIp, time: request.at });
  return decide({
    policy: config.policy,
    provider: request.provider,
    ...input,
    role: request.role,
    requestedSeconds: request.requestedSeconds,
    defaultSeconds: config.broker.defaultSessionSeconds,
    idpSecondsLeft,
  });
};
