// Public face of the consent decision's signed record, pure (no store): built and signed by the gateway, verified by recipients and the SDK.
export {
  buildDecisionProvenance,
  signDecisionProvenance,
  verifyDecisionProvenance,
} from './decision-provenance.js';
export type { DecisionProvenanceInput } from './decision-provenance.js';
export {
  CONSENT_CHECK_ACTIVITY,
  GATEWAY_AGENT,
  REDACT_ACTIVITY,
  REDACTED_LABEL,
} from './provenance-codes.js';
