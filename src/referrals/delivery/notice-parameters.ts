// The small FHIR Parameters resources that notices carry: references, codes and times, never survivor data.
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';

export const MESSAGE_EVENT_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/message-event';
export const NOTICE_SYSTEM = 'https://enlace.example.org/fhir/CodeSystem/delivery-notice';

export function buildNotice(
  id: string,
  event: { readonly system: string; readonly code: string },
  parameters: readonly ParametersParameter[],
): Parameters {
  return {
    resourceType: 'Parameters',
    id,
    parameter: [{ name: 'event', valueCoding: { ...event } }, ...parameters],
  };
}
