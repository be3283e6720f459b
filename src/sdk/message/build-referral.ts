// Builds the referral message (profile VawReferralMessage) from plain inputs, in the shape of profiles/Bundle-referral-example.json.
import { randomUUID } from 'node:crypto';
import type {
  Bundle,
  BundleEntry,
  ContactPoint,
  Meta,
  MessageHeader,
  Patient,
  RelatedPerson,
  Resource,
  RiskAssessment,
  ServiceRequest,
  Task,
} from '@medplum/fhirtypes';
import {
  DATA_CLASS_SYSTEM,
  MESSAGE_EVENT_SYSTEM,
  PURPOSE_SYSTEM,
  REFERRAL_STATUS_SYSTEM,
  RISK_LEVEL_SYSTEM,
  SERVICE_SYSTEM,
  VIOLENCE_SYSTEM,
  profileUrl,
} from '../vocabulary.js';
import type { ReferralInput } from './referral-input.js';

/** Who sends it and where: the sender's Organization id and the gateway it goes through. */
export interface MessageParties {
  readonly sender: string;
  readonly gateway: string;
  /** The system that wrote the message (`MessageHeader.source.endpoint`). */
  readonly source?: string;
}

export interface BuiltReferral {
  readonly bundle: Bundle;
  /** The MessageHeader id the gateway's acknowledgement must answer. */
  readonly headerId: string;
  readonly messageId: string;
}

/** The system the SDK numbers messages in when the caller gives no `messageId` system of its own. */
export const SDK_MESSAGE_ID_SYSTEM = 'urn:ietf:rfc:3986';

const CONSENT_REFERENCE = /^Consent\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

const meta = (name: string, label?: string): Meta => ({
  profile: [profileUrl(name)],
  ...(label === undefined ? {} : { security: [{ system: DATA_CLASS_SYSTEM, code: label }] }),
});

const concept = (system: string, code: string) => ({ coding: [{ system, code }] });

/**
 * Throws a TypeError for inputs the gateway would refuse anyway (no service, no form of violence,
 * an empty summary, a consent reference that is not one), so the mistake is named where it is made.
 */
export function buildReferral(
  input: ReferralInput,
  parties: MessageParties,
  now: Date,
): BuiltReferral {
  checkInput(input);
  const ids = {
    header: randomUUID(),
    task: randomUUID(),
    service: randomUUID(),
    patient: randomUUID(),
  };
  const url = (id: string) => `urn:uuid:${id}`;
  const sender = { reference: `Organization/${parties.sender}` };
  const receiver = { reference: `Organization/${input.to}` };
  const at = now.toISOString();
  const patientRef = { reference: url(ids.patient) };
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: ids.header,
    meta: meta('VawMessageHeader'),
    eventCoding: { system: MESSAGE_EVENT_SYSTEM, code: 'referral-request' },
    destination: [{ endpoint: `${parties.gateway}/fhir/$process-message`, receiver }],
    sender,
    source: {
      endpoint: parties.source ?? `${parties.gateway}/fhir/Organization/${parties.sender}`,
    },
    reason: concept(PURPOSE_SYSTEM, input.purpose),
    focus: [{ reference: url(ids.task) }],
  };
  const priority =
    input.priority ?? (input.risk === 'high' || input.risk === 'extreme' ? 'urgent' : 'routine');
  const task: Task = {
    resourceType: 'Task',
    meta: meta('VawReferralTask'),
    status: 'requested',
    businessStatus: concept(REFERRAL_STATUS_SYSTEM, 'requested'),
    intent: 'order',
    priority,
    focus: { reference: url(ids.service) },
    for: patientRef,
    authoredOn: at,
    requester: sender,
    owner: receiver,
  };
  const service: ServiceRequest = {
    resourceType: 'ServiceRequest',
    meta: meta('VawServiceRequest'),
    status: 'active',
    intent: 'order',
    priority,
    code: { coding: input.services.map((code) => ({ system: SERVICE_SYSTEM, code })) },
    subject: patientRef,
    authoredOn: at,
    requester: sender,
    performer: [receiver],
    reasonCode: input.violence.map((code) => concept(VIOLENCE_SYSTEM, code)),
    supportingInfo: [{ reference: input.consent, type: 'Consent' }],
    note: [{ text: input.summary, time: at }],
  };
  const patient: Patient = {
    resourceType: 'Patient',
    meta: meta('VawSurvivor'),
    identifier: [{ system: input.survivor.system, value: input.survivor.value }],
    gender: 'female',
    ...(input.birthDate === undefined ? {} : { birthDate: input.birthDate }),
  };
  const risk: RiskAssessment = {
    resourceType: 'RiskAssessment',
    meta: meta('VawRiskAssessment', 'risk-assessment'),
    status: 'final',
    subject: patientRef,
    occurrenceDateTime: (input.riskAssessedAt ?? now).toISOString(),
    prediction: [{ qualitativeRisk: concept(RISK_LEVEL_SYSTEM, input.risk) }],
  };
  const resources: [string, Resource][] = [
    [url(ids.header), header],
    [url(ids.task), task],
    [url(ids.service), service],
    [url(ids.patient), patient],
    ...contactEntry(input, patientRef),
    [url(randomUUID()), risk],
  ];
  const messageId = input.messageId ?? randomUUID();
  return {
    headerId: ids.header,
    messageId,
    bundle: {
      resourceType: 'Bundle',
      meta: meta('VawReferralMessage'),
      identifier: { system: SDK_MESSAGE_ID_SYSTEM, value: `urn:uuid:${messageId}` },
      type: 'message',
      timestamp: at,
      entry: resources.map(([fullUrl, resource]): BundleEntry => ({ fullUrl, resource })),
    },
  };
}

function contactEntry(
  input: ReferralInput,
  patient: { readonly reference: string },
): [string, RelatedPerson][] {
  const contact = input.contact;
  if (contact === undefined) return [];
  const telecom: ContactPoint[] = [
    ...(contact.phone === undefined
      ? []
      : [{ system: 'phone' as const, value: contact.phone, use: 'mobile' as const }]),
    ...(contact.email === undefined ? [] : [{ system: 'email' as const, value: contact.email }]),
  ];
  return [
    [
      `urn:uuid:${randomUUID()}`,
      {
        resourceType: 'RelatedPerson',
        meta: meta('VawSurvivorContact', 'contact-details'),
        patient,
        relationship: [concept('http://terminology.hl7.org/CodeSystem/v3-RoleCode', 'ONESELF')],
        ...(contact.name === undefined ? {} : { name: [{ text: contact.name }] }),
        ...(telecom.length === 0 ? {} : { telecom }),
      },
    ],
  ];
}

function checkInput(input: ReferralInput): void {
  if (input.services.length === 0) throw new TypeError('a referral requests at least one service');
  if (input.violence.length === 0)
    throw new TypeError('a referral names at least one form of violence');
  if (input.summary.trim() === '') throw new TypeError('a referral needs a summary');
  if (!CONSENT_REFERENCE.test(input.consent)) {
    throw new TypeError('consent must be Consent/<id> or Consent/<id>/_history/<version>');
  }
  if (input.survivor.system === '' || input.survivor.value === '') {
    throw new TypeError('the survivor needs an identifier system and value');
  }
}
