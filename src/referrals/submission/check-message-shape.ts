// Step 2a — shape: a Bundle of type message whose first entry is its MessageHeader, before any profile check.
import type { Bundle, MessageHeader } from '@medplum/fhirtypes';
import { GatewayError } from '../../kernel/index.js';
import type { SubmittedMessage } from './submission-types.js';

/** A FHIR `id` (R4): what `MessageHeader.response.identifier` must be. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const URN_UUID = /^urn:uuid:([0-9a-fA-F-]{36})$/;

const invalid = (text: string, expression: string): GatewayError =>
  new GatewayError('ENLACE_MESSAGE_INVALID', text, { expression: [expression] });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why before the profile: FHIR messaging (R4 §2.4) defines a message by exactly this shape, and
 * every later step reads the header; a clear 400 here beats a list of profile issues.
 */
export function checkMessageShape(value: unknown): SubmittedMessage {
  if (!isObject(value) || value.resourceType !== 'Bundle') {
    throw invalid('$process-message takes a Bundle.', 'Bundle');
  }
  if (value.type !== 'message') {
    throw invalid('The Bundle must be of type message.', 'Bundle.type');
  }
  const entries = value.entry;
  const first: unknown = Array.isArray(entries) ? entries[0] : undefined;
  const resource = isObject(first) ? first.resource : undefined;
  if (!isObject(first) || !isObject(resource) || resource.resourceType !== 'MessageHeader') {
    throw invalid('The first entry of a message must be its MessageHeader.', 'Bundle.entry[0]');
  }
  const header = resource as unknown as MessageHeader;
  return {
    bundle: value as unknown as Bundle,
    header,
    headerId: headerIdOf(header, first.fullUrl),
  };
}

function headerIdOf(header: MessageHeader, fullUrl: unknown): string {
  if (header.id !== undefined && FHIR_ID.test(header.id)) return header.id;
  const match = typeof fullUrl === 'string' ? URN_UUID.exec(fullUrl) : null;
  if (match?.[1] !== undefined) return match[1].toLowerCase();
  throw invalid(
    'The MessageHeader needs an id, or a urn:uuid fullUrl, for the acknowledgement to name it.',
    'Bundle.entry[0].resource.id',
  );
}
