// Refuses a submitted Consent that sets what only the gateway assigns: its id, version and timestamps.
import { GatewayError } from '../../kernel/index.js';
import { checkKnownMembers, isJsonObject, type JsonObject } from './json-shape.js';

// Why: a client-chosen id or version could collide with or impersonate another record's history;
// refusing (instead of silently overwriting) tells the integrator their client has a bug.
export function checkServerOwnedFields(consent: JsonObject): void {
  if (consent.id !== undefined) {
    throw new GatewayError(
      'ENLACE_CONSENT_SERVER_OWNED_FIELD',
      'Consent.id is assigned by the gateway; leave it out when creating a consent.',
      { expression: ['Consent.id'] },
    );
  }
  const meta = consent.meta;
  if (meta === undefined) return;
  if (!isJsonObject(meta)) {
    throw new GatewayError('ENLACE_CONSENT_INVALID', 'Consent.meta must be an object.', {
      expression: ['Consent.meta'],
    });
  }
  for (const field of ['versionId', 'lastUpdated'] as const) {
    if (meta[field] !== undefined) {
      throw new GatewayError(
        'ENLACE_CONSENT_SERVER_OWNED_FIELD',
        `Consent.meta.${field} is assigned by the gateway; leave it out.`,
        { expression: [`Consent.meta.${field}`] },
      );
    }
  }
  checkKnownMembers(meta, ['profile'], 'Consent.meta');
}
