// Pre-generated referral messages: each distinct, signed (ES256, x5c) and encrypted to the gateway (ECDH-ES+A256KW, A256GCM).
import { randomBytes } from 'node:crypto';
import type { Bundle, ServiceRequest } from '@medplum/fhirtypes';
import { CompactEncrypt, importJWK, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { signBundle } from '../../src/crypto/index.js';
import { buildReferralBundle } from '../integration/referrals/referral-fixtures.js';
import type { Curve } from './bench-options.js';

export interface MessageRecipe {
  readonly curve: Curve;
  /** Bytes of case narrative the referral carries (ServiceRequest.note), besides its structure. */
  readonly payload: number;
}

export interface MessageSigner {
  readonly partnerId: string;
  readonly privateKey: CryptoKey;
  /** Leaf, then issuing CA. */
  readonly x5c: readonly string[];
}

export interface MessageBatch {
  readonly recipe: MessageRecipe;
  /** Compact JWEs, one per referral. */
  readonly messages: readonly string[];
  /** Mean sizes in bytes: the Bundle as signed (JCS, no signature), the signed JSON, the JWE. */
  readonly sizes: { readonly bundle: number; readonly signed: number; readonly jwe: number };
}

export const recipeLabel = (recipe: MessageRecipe): string =>
  `${recipe.curve} ${Math.round(recipe.payload / 1024)} KiB`;

/** Printable text that no compression or cache would make cheaper: random words. */
function narrative(bytes: number): string {
  const text = randomBytes(Math.ceil(bytes * 0.75) + 3)
    .toString('base64')
    .replace(/[+/=]/g, ' ');
  return text.slice(0, bytes);
}

/** A recipient's encryption key imported once per batch, as a partner's client would. */
const importedKeys = new Map<string, Promise<CryptoKey | KeyObject | Uint8Array>>();
const encryptionKey = (jwk: JWK) => {
  const id = `${jwk.kid ?? ''}:${jwk.crv ?? ''}`;
  let key = importedKeys.get(id);
  if (key === undefined) {
    key = importJWK(jwk, 'ECDH-ES+A256KW');
    importedKeys.set(id, key);
  }
  return key;
};

export async function buildSignedReferral(
  signer: MessageSigner,
  recipient: string,
  survivorId: string,
  payload: number,
): Promise<Bundle> {
  const bundle = buildReferralBundle({ sender: signer.partnerId, recipient, survivorId });
  const service = bundle.entry?.find((entry) => entry.resource?.resourceType === 'ServiceRequest')
    ?.resource as ServiceRequest | undefined;
  if (service === undefined) throw new Error('the referral fixture has no ServiceRequest');
  service.note = [{ text: narrative(payload) }];
  return signBundle(
    bundle,
    { privateKey: signer.privateKey, alg: 'ES256', x5c: [...signer.x5c] },
    { reference: `Organization/${signer.partnerId}` },
    new Date(),
  );
}

/** `count` distinct messages (fresh identifiers, survivors in turn), built before any timing. */
export async function generateMessages(
  count: number,
  recipe: MessageRecipe,
  context: {
    readonly signer: MessageSigner;
    readonly recipient: string;
    readonly survivors: readonly string[];
    readonly gatewayKeys: Readonly<Record<Curve, JWK>>;
  },
): Promise<MessageBatch> {
  const jwk = context.gatewayKeys[recipe.curve];
  const key = await encryptionKey(jwk);
  const messages: string[] = [];
  let bundleBytes = 0;
  let signedBytes = 0;
  let jweBytes = 0;
  const PARALLEL = 16;
  for (let start = 0; start < count; start += PARALLEL) {
    const made = await Promise.all(
      Array.from({ length: Math.min(PARALLEL, count - start) }, async (_, offset) => {
        const index = start + offset;
        const survivor = context.survivors[index % context.survivors.length] ?? '';
        const signed = await buildSignedReferral(
          context.signer,
          context.recipient,
          survivor,
          recipe.payload,
        );
        const json = JSON.stringify(signed);
        const jwe = await new CompactEncrypt(new TextEncoder().encode(json))
          .setProtectedHeader({
            alg: 'ECDH-ES+A256KW',
            enc: 'A256GCM',
            cty: 'application/fhir+json',
            kid: jwk.kid ?? '',
          })
          .encrypt(key);
        const unsigned = JSON.stringify({ ...signed, signature: undefined });
        return { jwe, json, unsigned };
      }),
    );
    for (const { jwe, json, unsigned } of made) {
      messages.push(jwe);
      bundleBytes += unsigned.length;
      signedBytes += json.length;
      jweBytes += jwe.length;
    }
  }
  const mean = (total: number) => Math.round(total / Math.max(1, count));
  return {
    recipe,
    messages,
    sizes: { bundle: mean(bundleBytes), signed: mean(signedBytes), jwe: mean(jweBytes) },
  };
}
