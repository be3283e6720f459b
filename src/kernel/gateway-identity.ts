// The gateway's one identity: the Organization that sends its acknowledgements, signs its records and observes its audit.

/** Reserved: no partner may register under this id. */
export const GATEWAY_ORGANIZATION_ID = 'enlace-gateway';

/**
 * Why an Organization and not a Device: R4 `MessageHeader.sender` admits no Device, while
 * `Signature.who`, `Provenance.agent.who` and `AuditEvent.source.observer` all admit an
 * Organization — so one name fits every place the gateway speaks, and the directory serves it.
 */
export const GATEWAY_REFERENCE = `Organization/${GATEWAY_ORGANIZATION_ID}`;
