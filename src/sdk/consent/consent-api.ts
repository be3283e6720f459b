// Records her consent, asks what it decides, and withdraws it on her behalf.
import type { Consent, Parameters } from '@medplum/fhirtypes';
import type { components } from '../generated/openapi-types.js';
import { EnlaceProtocolError } from '../errors.js';
import type { SurvivorIdentifier } from '../message/referral-input.js';
import { asResource, versionOf } from '../transport/as-resource.js';
import { unwrap } from '../transport/read-failure.js';
import type { GatewayHttp } from '../transport/gateway-http.js';
import { REVOCATION_REASON_EXTENSION, type DataClass, type Purpose } from '../vocabulary.js';
import { buildConsent, type ConsentInput } from './build-consent.js';
import { readEvaluation, type ConsentEvaluation } from './read-evaluation.js';

export interface RecordedConsent {
  readonly id: string;
  readonly version: string;
  /** `Consent/<id>/_history/<version>`: what a referral names as the consent it relies on. */
  readonly reference: string;
  readonly resource: Consent;
}

export interface EvaluationQuery {
  readonly survivor: SurvivorIdentifier;
  readonly purpose: Purpose;
  /** The institution that would receive; defaults to the caller. */
  readonly actor?: string;
  /** None means every data class. */
  readonly dataClasses?: readonly DataClass[];
  /** A past instant is judged on the consent versions then in force; defaults to now. */
  readonly at?: Date;
}

export interface Revocation {
  readonly consent: RecordedConsent;
  /** How many institutions that received data under it the gateway told (not which). */
  readonly notifiedInstitutions: number;
}

export interface ConsentApi {
  /** `POST /fhir/Consent`, from plain terms or a whole Consent resource. */
  record(consent: ConsentInput | Consent): Promise<RecordedConsent>;
  read(id: string): Promise<RecordedConsent>;
  /** `POST /fhir/Consent/$evaluate`. */
  evaluate(query: EvaluationQuery): Promise<ConsentEvaluation>;
  /** `PATCH /fhir/Consent/{id}` to inactive with her reason (never her name in it); If-Match when the version is known. */
  revoke(consent: RecordedConsent | string, reason: string): Promise<Revocation>;
}

type ParametersBody = components['schemas']['Parameters'];

function toRecorded(body: unknown, etag: string | null): RecordedConsent {
  const resource = asResource<Consent>(body, 'Consent');
  const version = versionOf(etag) ?? resource.meta?.versionId;
  if (resource.id === undefined || version === undefined) {
    throw new EnlaceProtocolError('the Consent came without an id or version');
  }
  return {
    id: resource.id,
    version,
    reference: `Consent/${resource.id}/_history/${version}`,
    resource,
  };
}

export function createConsentApi(
  http: GatewayHttp,
  now: () => Date,
  me: () => Promise<string>,
): ConsentApi {
  const read = async (id: string): Promise<RecordedConsent> => {
    const result = await http.api.GET('/fhir/Consent/{id}', { params: { path: { id } } });
    return toRecorded(unwrap(result), result.response.headers.get('etag'));
  };
  return {
    record: async (consent) => {
      const body = 'resourceType' in consent ? consent : buildConsent(consent, await me(), now());
      const result = await http.api.POST('/fhir/Consent', {
        params: { header: {} },
        body,
        headers: { 'Content-Type': 'application/fhir+json' },
      });
      return toRecorded(unwrap(result), result.response.headers.get('etag'));
    },
    read,
    evaluate: async (query) => {
      const parameter: NonNullable<ParametersBody['parameter']> = [
        { name: 'patient', valueIdentifier: { ...query.survivor } },
        { name: 'purpose', valueCode: query.purpose },
        ...(query.dataClasses ?? []).map((code) => ({ name: 'dataClass', valueCode: code })),
        ...(query.actor === undefined
          ? []
          : [{ name: 'actor', valueReference: { reference: `Organization/${query.actor}` } }]),
        ...(query.at === undefined ? [] : [{ name: 'at', valueDateTime: query.at.toISOString() }]),
      ];
      const result = await http.api.POST('/fhir/Consent/$evaluate', {
        body: { resourceType: 'Parameters', parameter },
        headers: { 'Content-Type': 'application/fhir+json' },
      });
      return readEvaluation(asResource<Parameters>(unwrap(result), 'Parameters'));
    },
    revoke: async (consent, reason) => {
      const known = typeof consent === 'string' ? undefined : consent;
      const id = known?.id ?? (consent as string);
      const result = await http.api.PATCH('/fhir/Consent/{id}', {
        params: {
          path: { id },
          header: known === undefined ? {} : { 'If-Match': `W/"${known.version}"` },
        },
        body: [
          { op: 'replace', path: '/status', value: 'inactive' },
          {
            op: 'add',
            path: '/extension/-',
            value: { url: REVOCATION_REASON_EXTENSION, valueString: reason },
          },
        ],
        headers: { 'Content-Type': 'application/json-patch+json' },
      });
      const recorded = toRecorded(unwrap(result), result.response.headers.get('etag'));
      const notified = Number(result.response.headers.get('enlace-notified-institutions') ?? '0');
      return { consent: recorded, notifiedInstitutions: Number.isFinite(notified) ? notified : 0 };
    },
  };
}
