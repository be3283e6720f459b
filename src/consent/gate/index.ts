// Public face of the consent gate: the check every release passes, and the $evaluate operation.
export { checkConsent } from './check-consent.js';
export type { GateRequest } from './check-consent.js';
export type { GateDeps } from './gate-deps.js';
export { runWithConsentAudit } from './run-with-consent-audit.js';
export { decideWithEmergency } from './decide-with-emergency.js';
export { buildDecisionAuditEvent, consentDecisionType } from './decision-audit.js';
export type { DecisionAuditInput } from './decision-audit.js';
export { describeDecision } from './describe-decision.js';
export { evaluateConsentOperation, toEvaluateParameters } from './evaluate-consent-operation.js';
export { readEvaluateParameters } from './read-evaluate-parameters.js';
export type { EvaluateInput } from './read-evaluate-parameters.js';
