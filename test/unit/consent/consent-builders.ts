// Small builders for Consent resources and decision requests used by the engine tests.
import type { Coding, Consent, ConsentProvision, ConsentProvisionActor } from '@medplum/fhirtypes';
import {
  DATA_CLASS_SYSTEM,
  PSEUDONYM_SYSTEM,
  PURPOSE_SYSTEM,
  type DataClass,
  type DecisionRequest,
  type Purpose,
  type StoredConsent,
} from '../../../src/consent/types.js';
import { ORGANIZATION_ROLE_SYSTEM } from '../../../src/partners/roles.js';

export const SURVIVOR = 'k1.survivor-pseudonym';
export const AT = new Date('2025-06-15T12:00:00Z');

export const purposeCodes = (...codes: Purpose[]): Coding[] =>
  codes.map((code) => ({ system: PURPOSE_SYSTEM, code }));

export const classCodes = (...codes: DataClass[]): Coding[] =>
  codes.map((code) => ({ system: DATA_CLASS_SYSTEM, code }));

export const byRole = (role: string): ConsentProvisionActor =>
  ({
    role: { coding: [{ system: ORGANIZATION_ROLE_SYSTEM, code: role }] },
  }) as ConsentProvisionActor;

export const byOrganization = (id: string): ConsentProvisionActor => ({
  role: {
    coding: [
      { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
    ],
  },
  reference: { reference: `Organization/${id}` },
});

export function consent(
  id: string,
  provision: ConsentProvision | undefined,
  status: Consent['status'] = 'active',
  version = 1,
): StoredConsent {
  return {
    id,
    version,
    resource: {
      resourceType: 'Consent',
      id,
      status,
      scope: { coding: [{ code: 'patient-privacy' }] },
      category: [{ coding: [{ code: '59284-0' }] }],
      patient: { identifier: { system: PSEUDONYM_SYSTEM, value: SURVIVOR } },
      ...(provision === undefined ? {} : { provision }),
    },
  };
}

export function request(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    survivor: [SURVIVOR],
    actor: { organization: 'police-central', role: 'police' },
    purpose: 'protection',
    dataClasses: ['police-report'],
    at: AT,
    ...overrides,
  };
}
