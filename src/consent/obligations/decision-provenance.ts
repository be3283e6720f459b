// The signed record of a consent decision: a FHIR Provenance whose detached JWS (ES256) covers the delivered content.
import type { Bundle, BundleEntry, Provenance, Reference } from '@medplum/fhirtypes';
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
  GATEWAY_AGENT,
  PERFORMER,
  SOURCE_SIGNATURE,
} from './provenance-codes.js';

export interface DecisionProvenanceInput {
  readonly decision: Decision;
  readonly request: DecisionRequest;
  /**
   * What the decision released, as references that resolve where the Provenance travels: the
   * delivered message by its `fullUrl` in the delivery Bundle. At least one.
   */
  readonly targets: readonly Reference[];
  readonly recorded: Date;
}

/**
 * Builds the Provenance, still unsigned: it is signed with signDecisionProvenance once it sits in
 * the delivery Bundle whose content the signature covers. The purpose and outcome are recorded,
 * never the survivor: her pseudonyms stay out, since the consents it references already name her.
 */
export function buildDecisionProvenance(input: DecisionProvenanceInput): Provenance {
  const { decision, request, recorded } = input;
  if (input.targets.length === 0) {
    throw new Error('a decision Provenance needs at least one target');
  }
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
  return {
    resourceType: 'Provenance',
    target: [...input.targets],
    recorded: recorded.toISOString(),
    policy: [...decision.reliedOn],
    reason: [{ coding: [{ system: PURPOSE_SYSTEM, code: request.purpose }] }],
    activity: {
      coding: [CONSENT_CHECK_ACTIVITY],
      text: `consent-check: ${decision.outcome}; permitted ${list(decision.permitted)}; removed ${list(decision.remove)}`,
    },
    agent: [{ type: { coding: [PERFORMER] }, who: { reference: GATEWAY_AGENT } }],
    ...(entity.length > 0 ? { entity } : {}),
  };
}

/**
 * Signs `bundle`'s decision Provenance (its one Provenance with the consent-check activity) over
 * the whole Bundle: the detached JWS covers the RFC 8785 canonical JSON of `bundle` with only that
 * Provenance's `signature` left out. Why the whole Bundle and not the Provenance alone: FHIR defines
 * `Provenance.signature` as a signature on its targets, so it must bind the delivered message (and
 * the record of anything removed from it), not merely the decision's own wording.
 */
export async function signDecisionProvenance(
  bundle: Bundle,
  signingKey: GatewayKey,
  at: Date,
): Promise<Bundle> {
  const index = decisionEntryIndex(bundle);
  if (index === undefined) throw new Error('the Bundle holds no single decision Provenance');
  const jws = await signDetached(signedBytes(bundle, index), {
    privateKey: signingKey.privateKey,
    alg: 'ES256',
    kid: signingKey.kid,
  });
  const signature = buildJoseSignature(jws, { reference: GATEWAY_AGENT }, at, {
    type: [SOURCE_SIGNATURE],
    targetFormat: 'application/fhir+json',
  });
  return withProvenance(bundle, index, (provenance) => ({ ...provenance, signature: [signature] }));
}

/**
 * Whether the decision Provenance in `bundle` verifies under `publicJwk` (ES256 only) over the
 * Bundle exactly as delivered. Any failure — no or several decision Provenances, a missing or
 * malformed signature, the wrong key, any changed element anywhere in the Bundle — answers false
 * alike: no oracle.
 */
export async function verifyDecisionProvenance(bundle: Bundle, publicJwk: JWK): Promise<boolean> {
  try {
    const index = decisionEntryIndex(bundle);
    const provenance = index === undefined ? undefined : bundle.entry?.[index]?.resource;
    if (index === undefined || provenance?.resourceType !== 'Provenance') return false;
    const signatures = provenance.signature ?? [];
    if (signatures.length !== 1) return false;
    const key = await verificationKeys.importKey(publicJwk, 'ES256');
    await verifyDetached(
      readJoseSignature(signatures[0]),
      signedBytes(bundle, index),
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

const isDecisionEntry = (entry: BundleEntry): boolean =>
  entry.resource?.resourceType === 'Provenance' &&
  (entry.resource.activity?.coding ?? []).some(
    (coding) =>
      coding.system === CONSENT_CHECK_ACTIVITY.system &&
      coding.code === CONSENT_CHECK_ACTIVITY.code,
  );

/** The index of the one decision Provenance entry; undefined when there is none or more than one. */
function decisionEntryIndex(bundle: Bundle): number | undefined {
  const indexes = (bundle.entry ?? []).flatMap((entry, index) =>
    isDecisionEntry(entry) ? [index] : [],
  );
  return indexes.length === 1 ? indexes[0] : undefined;
}

function withProvenance(
  bundle: Bundle,
  index: number,
  change: (provenance: Provenance) => Provenance,
): Bundle {
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((entry, at) =>
      at === index && entry.resource?.resourceType === 'Provenance'
        ? { ...entry, resource: change(entry.resource) }
        : entry,
    ),
  };
}

/** RFC 8785 canonical JSON of the Bundle with the decision Provenance's `signature` left out. */
function signedBytes(bundle: Bundle, index: number): Uint8Array {
  const unsigned = withProvenance(bundle, index, (provenance) => {
    const content = { ...provenance };
    delete content.signature;
    return content;
  });
  return canonicalJsonBytes(unsigned as unknown as JsonValue);
}

const list = (values: readonly string[]): string =>
  values.length === 0 ? 'none' : values.join(', ');
