// The signed record of a consent decision: a FHIR Provenance with a detached JWS (ES256) over its JCS form.
import type { Provenance, Reference } from '@medplum/fhirtypes';
import type { JWK } from 'jose';
import {
  buildJoseSignature,
  canonicalJsonBytes,
  createPublicKeyCache,
  readJoseSignature,
  signDetached,
  verifyDetached,
  type GatewayKey,
  type JsonValue,
} from '../../crypto/index.js';
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
  const jws = await signDetached(signedBytes(unsigned), {
    privateKey: signingKey.privateKey,
    alg: 'ES256',
    kid: signingKey.kid,
  });
  const signature = buildJoseSignature(jws, { reference: GATEWAY_DEVICE }, recorded, {
    type: [SOURCE_SIGNATURE],
    targetFormat: 'application/fhir+json',
  });
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
    if (signatures.length !== 1) return false;
    const key = await verificationKeys.importKey(publicJwk, 'ES256');
    await verifyDetached(
      readJoseSignature(signatures[0]),
      signedBytes(provenance),
      () => Promise.resolve({ key, info: undefined }),
      { algorithms: ['ES256'], now: new Date(provenance.recorded) },
    );
    return true;
  } catch {
    return false;
  }
}

/** Recipients verify many Provenances with the same gateway key; it is imported once. */
const verificationKeys = createPublicKeyCache();

/**
 * RFC 8785 canonical JSON of the Provenance without `signature`, `id` and `meta`: the last two are
 * assigned by whichever server stores it and must not break the signature.
 */
function signedBytes(provenance: Provenance): Uint8Array {
  const content: Partial<Provenance> = { ...provenance };
  delete content.signature;
  delete content.id;
  delete content.meta;
  return canonicalJsonBytes(content as JsonValue);
}

const list = (values: readonly string[]): string =>
  values.length === 0 ? 'none' : values.join(', ');
