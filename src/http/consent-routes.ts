// Routes over consent records: create, read, vread, history, search, revoke (PATCH) and $evaluate.
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { evaluateConsentOperation } from '../consent/gate/index.js';
import {
  CONSENT_EVALUATE_DEFINITION,
  consentSearchParams,
  createConsent,
  readConsent,
  readConsentHistory,
  readConsentVersion,
  revokeConsent,
  searchConsents,
  VAW_CONSENT_PROFILE,
  versionEtag,
  type ConsentCaller,
  type ConsentContext,
  type ConsentDeps,
  type ConsentVersion,
} from '../consent/records/index.js';
import { buildSearchSet, parseSearch } from '../fhir/index.js';
import { partnerOf } from './principal-of.js';
import type { RequestContext, Route, RouteResponse } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPES = ['application/fhir+json', 'application/json'] as const;
const JSON_PATCH = 'application/json-patch+json';

export type ConsentRouteDeps = Pick<AppServices, 'store' | 'clock' | 'config'> & {
  readonly consent: ConsentDeps;
};

const callerOf = (ctx: RequestContext): ConsentCaller => ({
  principal: partnerOf(ctx),
  requestId: ctx.requestId,
});

/** The answer for one consent version: the resource with its version ETag and modification time. */
function versionResponse(resource: Consent, status = 200): RouteResponse {
  const version = Number(resource.meta?.versionId ?? '0');
  const lastUpdated = resource.meta?.lastUpdated;
  return {
    status,
    headers: {
      ETag: versionEtag(version),
      ...(lastUpdated === undefined
        ? {}
        : { 'Last-Modified': new Date(lastUpdated).toUTCString() }),
    },
    body: resource,
  };
}

function toHistoryBundle(
  id: string,
  versions: readonly ConsentVersion[],
  fhirBase: string,
): Bundle<Consent> {
  return {
    resourceType: 'Bundle',
    type: 'history',
    total: versions.length,
    link: [{ relation: 'self', url: `${fhirBase}/Consent/${id}/_history` }],
    entry: versions.map((version) => ({
      fullUrl: `${fhirBase}/Consent/${id}`,
      resource: version.resource,
      request:
        version.change === 'create'
          ? { method: 'POST', url: 'Consent' }
          : { method: 'PATCH', url: `Consent/${id}` },
      response: {
        status: version.change === 'create' ? '201 Created' : '200 OK',
        etag: versionEtag(version.version),
        lastModified: version.changedAt,
      },
    })),
  };
}

export function consentRoutes(deps: ConsentRouteDeps): Route[] {
  const fhirBase = `${deps.config.publicUrl}/fhir`;
  const context: ConsentContext = { store: deps.store, clock: deps.clock, ...deps.consent };
  return [
    {
      method: 'POST',
      path: '/fhir/Consent',
      operationId: 'createConsent',
      access: { kind: 'partner', scope: 'system/Consent.c' },
      consumes: JSON_TYPES,
      fhir: {
        kind: 'interaction',
        resource: 'Consent',
        interaction: 'create',
        profile: VAW_CONSENT_PROFILE,
      },
      handler: async (ctx) => {
        const record = await createConsent(ctx.body, callerOf(ctx), context);
        const answer = versionResponse(record.resource, 201);
        return {
          ...answer,
          headers: {
            ...answer.headers,
            Location: `${fhirBase}/Consent/${record.id}/_history/${record.version}`,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Consent',
      operationId: 'searchConsent',
      access: { kind: 'partner', scope: 'system/Consent.s' },
      fhir: {
        kind: 'interaction',
        resource: 'Consent',
        interaction: 'search-type',
        searchParams: [
          {
            name: 'patient',
            type: 'token',
            documentation:
              'Required: the identifier your institution holds for her, <system>|<value>; matched by pseudonym',
          },
          { name: 'status', type: 'token', documentation: 'active or inactive' },
        ],
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, consentSearchParams);
        const records = await searchConsents(
          {
            patient: search.params.get('patient'),
            status: search.params.get('status'),
            count: search.count,
          },
          callerOf(ctx),
          context,
        );
        // Why: the self link would repeat her identifier; it names only what is not identifying.
        const status = search.params.get('status');
        const self = `${fhirBase}/Consent?patient=redacted${status === undefined ? '' : `&status=${encodeURIComponent(status)}`}`;
        return {
          body: buildSearchSet(
            records.map((record) => record.resource),
            self,
            fhirBase,
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Consent/:id',
      operationId: 'readConsent',
      access: { kind: 'partner', scope: 'system/Consent.r' },
      fhir: { kind: 'interaction', resource: 'Consent', interaction: 'read' },
      handler: async (ctx) => {
        const record = await readConsent(ctx.params.id ?? '', callerOf(ctx), context);
        return versionResponse(record.resource);
      },
    },
    {
      method: 'GET',
      path: '/fhir/Consent/:id/_history',
      operationId: 'historyConsent',
      access: { kind: 'partner', scope: 'system/Consent.r' },
      fhir: { kind: 'interaction', resource: 'Consent', interaction: 'history-instance' },
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const versions = await readConsentHistory(id, callerOf(ctx), context);
        return { body: toHistoryBundle(id, versions, fhirBase) };
      },
    },
    {
      method: 'GET',
      path: '/fhir/Consent/:id/_history/:vid',
      operationId: 'vreadConsent',
      access: { kind: 'partner', scope: 'system/Consent.r' },
      fhir: { kind: 'interaction', resource: 'Consent', interaction: 'vread' },
      handler: async (ctx) => {
        const version = await readConsentVersion(
          ctx.params.id ?? '',
          ctx.params.vid ?? '',
          callerOf(ctx),
          context,
        );
        return versionResponse(version.resource);
      },
    },
    {
      method: 'PATCH',
      path: '/fhir/Consent/:id',
      operationId: 'patchConsent',
      access: { kind: 'partner', scope: 'system/Consent.u' },
      consumes: [JSON_PATCH, 'application/json'],
      fhir: { kind: 'interaction', resource: 'Consent', interaction: 'patch' },
      handler: async (ctx) => {
        const revocation = await revokeConsent(
          { id: ctx.params.id ?? '', patch: ctx.body, ifMatch: ctx.headers['if-match'] },
          callerOf(ctx),
          context,
        );
        return versionResponse(revocation.record.resource);
      },
    },
    {
      method: 'POST',
      path: '/fhir/Consent/$evaluate',
      operationId: 'evaluateConsent',
      access: { kind: 'partner', scope: 'system/Consent.r' },
      consumes: JSON_TYPES,
      fhir: {
        kind: 'operation',
        name: 'evaluate',
        definition: CONSENT_EVALUATE_DEFINITION,
        resource: 'Consent',
      },
      handler: async (ctx) => ({
        body: await evaluateConsentOperation(ctx.body, callerOf(ctx), context),
      }),
    },
  ];
}
