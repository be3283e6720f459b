// Reads the plain facts back out of a referral message, as the recipient works with them.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { SurvivorIdentifier } from '../message/referral-input.js';
import {
  PURPOSE_SYSTEM,
  RISK_LEVEL_SYSTEM,
  SERVICE_SYSTEM,
  VIOLENCE_SYSTEM,
} from '../vocabulary.js';

export interface ReferralContent {
  /** The sending institution's partner id. */
  readonly sender: string;
  readonly recipient: string;
  readonly purpose: string | undefined;
  readonly survivor: readonly SurvivorIdentifier[];
  readonly risk: string | undefined;
  readonly services: readonly string[];
  readonly violence: readonly string[];
  readonly summary: string | undefined;
  /** Absent when she gave none or her consent did not release her contact details. */
  readonly contact:
    { readonly name?: string; readonly phone?: string; readonly email?: string } | undefined;
  /** The consent the sender relied on (`ServiceRequest.supportingInfo`). */
  readonly consent: string | undefined;
}

const ORGANIZATION = 'Organization/';

const partnerOf = (reference: string | undefined): string =>
  reference?.startsWith(ORGANIZATION) === true ? reference.slice(ORGANIZATION.length) : '';

const codesOf = (
  concepts: readonly { coding?: { system?: string; code?: string }[] }[],
  system: string,
) =>
  concepts.flatMap((c) =>
    (c.coding ?? []).filter((x) => x.system === system).flatMap((x) => x.code ?? []),
  );

function first<T extends Resource['resourceType']>(
  bundle: Bundle,
  type: T,
): Extract<Resource, { resourceType: T }> | undefined {
  const entry = (bundle.entry ?? []).find((e) => e.resource?.resourceType === type);
  return entry?.resource as Extract<Resource, { resourceType: T }> | undefined;
}

export function readReferralContent(message: Bundle): ReferralContent {
  const header = first(message, 'MessageHeader');
  const service = first(message, 'ServiceRequest');
  const patient = first(message, 'Patient');
  const risk = first(message, 'RiskAssessment');
  const contact = first(message, 'RelatedPerson');
  const telecom = contact?.telecom ?? [];
  return {
    sender: partnerOf(header?.sender?.reference),
    recipient: partnerOf(header?.destination?.[0]?.receiver?.reference),
    purpose: codesOf(header?.reason === undefined ? [] : [header.reason], PURPOSE_SYSTEM)[0],
    survivor: (patient?.identifier ?? []).flatMap((id) =>
      id.system === undefined || id.value === undefined
        ? []
        : [{ system: id.system, value: id.value }],
    ),
    risk: codesOf(
      (risk?.prediction ?? []).flatMap((p) =>
        p.qualitativeRisk === undefined ? [] : [p.qualitativeRisk],
      ),
      RISK_LEVEL_SYSTEM,
    )[0],
    services: codesOf(service?.code === undefined ? [] : [service.code], SERVICE_SYSTEM),
    violence: codesOf(service?.reasonCode ?? [], VIOLENCE_SYSTEM),
    summary: service?.note?.[0]?.text,
    contact:
      contact === undefined
        ? undefined
        : {
            ...(contact.name?.[0]?.text === undefined ? {} : { name: contact.name[0].text }),
            ...optional('phone', telecom.find((t) => t.system === 'phone')?.value),
            ...optional('email', telecom.find((t) => t.system === 'email')?.value),
          },
    consent: service?.supportingInfo?.find((ref) => ref.reference?.startsWith('Consent/'))
      ?.reference,
  };
}

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, string>>;
