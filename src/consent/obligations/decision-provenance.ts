// The signed record of a consent decision: a FHIR Provenance with a detached JWS (ES256) over its JCS form.
import type { Provenance, Reference, Signature } from '@medplum/fhirtypes';
import canonicalize from 'canonicalize';
import { flattenedVerify, FlattenedSign, importJWK, type JWK } from 'jose';
import type { GatewayKey } from '../../crypto/index.js';
import { PURPOSE_SYSTEM, type Decision, type DecisionRequest } from '../types.js';
import {
  CONSENT_CHECK_ACTIVITY,
  EMERGENCY_GRANT_SYSTEM,
  GATEWAY_DEVICE,
  PERFORMER,
  SOURCE_SIGNATURE,
} from './provenance-codes.js';

export interface DecisionProvenanceInput {
  readonly decision: Decision;
  readonly request: DecisionRequest;
  /** The delivered resources (`Task/…`, `Bundle/…`) the decision is about; at least one. */
  readonly targets: readonly string[];
  readonly recorded: Date;
  /** The gateway's ES256 signing key. */
  readonly signingKey: GatewayKey;
}

/**
 * Builds and signs the Provenance. The purpose and outcome are recorded, never the survivor: her
 * pseudonyms stay out, since the consents it references already name her.
 */
export async function buildDecisionProvenance(input: DecisionProvenanceInput): Promise<Provenance> {
  const { decision, request, recorded, signingKey } = input;
  if (input.targets.length === 0)
    throw new Error('a decision Provenance needs at least one target');
  const entity: NonNullable<Provenance['entity']> = decision.reliedOn.map((reference) => ({
    role: 'source',
    what: { reference },
  }));
  if (decision.emergencyGrant !== undefined) {
    const what: Reference = {
      identifier: { system: EMERGENCY_GRANT_SYSTEM, value: decision.emergencyGrant },
    };
    entity.push({ role: 'source', what });
  }
  const unsigned: Provenance = {
    resourceType: 'Provenance',
    target: [...input.targets].sort().map((reference) => ({ reference })),
    recorded: recorded.toISOString(),
    policy: [...decision.reliedOn],
    reason: [{ coding: [{ system: PURPOSE_SYSTEM, code: request.purpose }] }],
    activity: {
      coding: [CONSENT_CHECK_ACTIVITY],
      text: `consent-check: ${decision.outcome}; permitted ${list(decision.permitted)}; removed ${list(decision.remove)}`,
    },
    agent: [{ type: { coding: [PERFORMER] }, who: { reference: GATEWAY_DEVICE } }],
    ...(entity.length > 0 ? { entity } : {}),
  };
  const jws = await new FlattenedSign(signedBytes(unsigned))
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid })
    .sign(signingKey.privateKey);
  // Compact detached serialisation (RFC 7515 appendix F): header..signature, payload left out.
  const detached = `${jws.protected ?? ''}..${jws.signature}`;
  const signature: Signature = {
    type: [SOURCE_SIGNATURE],
    when: recorded.toISOString(),
    who: { reference: GATEWAY_DEVICE },
    targetFormat: 'application/fhir+json',
    sigFormat: 'application/jose',
    data: Buffer.from(detached, 'utf8').toString('base64'),
  };
  return { ...unsigned, signature: [signature] };
}

/**
 * Whether the Provenance's signature verifies under `publicJwk` (ES256 only). Any failure —
 * missing or malformed signature, wrong key, a changed field — answers false alike: no oracle.
 */
export async function verifyDecisionProvenance(
  provenance: Provenance,
  publicJwk: JWK,
): Promise<boolean> {
  try {
    const signatures = provenance.signature ?? [];
    const first = signatures[0];
    if (signatures.length !== 1 || first?.data === undefined) return false;
    if (first.sigFormat !== 'application/jose') return false;
    const [protectedHeader, payload, signature, ...rest] = Buffer.from(first.data, 'base64')
      .toString('utf8')
      .split('.');
    if (protectedHeader === undefined || payload !== '' || signature === undefined) return false;
    if (rest.length > 0) return false;
    const key = await importJWK({ ...publicJwk, alg: 'ES256' }, 'ES256');
    await flattenedVerify(
      {
        protected: protectedHeader,
        // Reattach the detached payload as JWS encodes it (base64url of the canonical bytes).
        payload: Buffer.from(signedBytes(provenance)).toString('base64url'),
        signature,
      },
      key,
      { algorithms: ['ES256'] },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * RFC 8785 canonical JSON of the Provenance without `signature`, `id` and `meta`: the last two are
 * assigned by whichever server stores it and must not break the signature.
 */
function signedBytes(provenance: Provenance): Uint8Array {
  const content: Partial<Provenance> = { ...provenance };
  delete content.signature;
  delete content.id;
  delete content.meta;
  const text = canonicalize(content);
  if (text === undefined) throw new Error('the Provenance has no canonical JSON form');
  return new TextEncoder().encode(text);
}

const list = (values: readonly string[]): string =>
  values.length === 0 ? 'none' : values.join(', ');
