// Reads a JSON Patch that revokes a consent: status to inactive plus a reason; every other change is refused.
import { GatewayError } from '../../kernel/index.js';
import { consentLimits, REVOCATION_REASON_EXTENSION } from './consent-constants.js';
import { isJsonObject, type JsonObject } from './json-shape.js';

const MAX_OPERATIONS = 4;

const unsupported = (index: number, what: string): GatewayError =>
  new GatewayError(
    'ENLACE_CONSENT_PATCH_UNSUPPORTED',
    `Operation ${index} (${what.slice(0, 80)}) is not supported: a consent can only be revoked, with ` +
      '`replace /status` to inactive and `add` of a revocation-reason extension.',
    { expression: [`Patch[${index}]`] },
  );

function readReasonExtension(value: unknown, index: number): string | undefined {
  if (!isJsonObject(value) || value.url !== REVOCATION_REASON_EXTENSION) return undefined;
  const reason = value.valueString;
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < consentLimits.minReasonLength || text.length > consentLimits.maxReasonLength) {
    throw new GatewayError(
      'ENLACE_CONSENT_PATCH_INVALID',
      `The revocation reason must be ${consentLimits.minReasonLength} to ${consentLimits.maxReasonLength} characters.`,
      { expression: [`Patch[${index}].value.valueString`] },
    );
  }
  if (Object.keys(value).some((name) => name !== 'url' && name !== 'valueString')) {
    throw unsupported(index, 'extension with other members');
  }
  return text;
}

/**
 * Why: a consent is her decision; the gateway lets partners withdraw it on her behalf but never
 * rewrite what she agreed to, so the only accepted patch is a revocation.
 */
export function readRevocationPatch(body: unknown): string {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_OPERATIONS) {
    throw new GatewayError(
      'ENLACE_CONSENT_PATCH_INVALID',
      `The body must be a JSON Patch (RFC 6902) array of 1 to ${MAX_OPERATIONS} operations.`,
      { expression: ['Patch'] },
    );
  }
  let inactive = false;
  let reason: string | undefined;
  for (const [index, entry] of (body as readonly unknown[]).entries()) {
    if (!isJsonObject(entry) || typeof entry.op !== 'string' || typeof entry.path !== 'string') {
      throw new GatewayError(
        'ENLACE_CONSENT_PATCH_INVALID',
        `Operation ${index} must be an object with op and path.`,
        { expression: [`Patch[${index}]`] },
      );
    }
    const operation: JsonObject = entry;
    const what = `${String(operation.op)} ${String(operation.path)}`;
    if (operation.op === 'replace' && operation.path === '/status') {
      if (operation.value !== 'inactive')
        throw unsupported(index, `status ${String(operation.value)}`);
      inactive = true;
      continue;
    }
    const added =
      operation.op !== 'add'
        ? undefined
        : operation.path === '/extension/-'
          ? readReasonExtension(operation.value, index)
          : operation.path === '/extension' &&
              Array.isArray(operation.value) &&
              operation.value.length === 1
            ? readReasonExtension((operation.value as readonly unknown[])[0], index)
            : undefined;
    if (added === undefined || reason !== undefined) throw unsupported(index, what);
    reason = added;
  }
  if (!inactive) {
    throw new GatewayError(
      'ENLACE_CONSENT_PATCH_INVALID',
      'A revocation needs { "op": "replace", "path": "/status", "value": "inactive" }.',
      { expression: ['Patch'] },
    );
  }
  if (reason === undefined) {
    throw new GatewayError(
      'ENLACE_CONSENT_PATCH_INVALID',
      `A revocation needs a reason: add an extension ${REVOCATION_REASON_EXTENSION} with valueString.`,
      { expression: ['Patch'] },
    );
  }
  return reason;
}
