// Routes over consent records: create, read, vread, history, search, revoke (PATCH) and $evaluate.
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { evaluateConsentOperation } from '../consent/gate/index.js';
import {
  CONSENT_EVALUATE_DEFINITION,
  CONSENT_SEARCH_PAGING,
  CONSENT_SEARCH_PARAM_DOCS,
  consentSearchParams,
  createConsentConditionally,
  readConsent,
  readConsentHistory,
  readConsentVersion,
  revokeConsent,
  searchConsents,
  VAW_CONSENT_PROFILE,
  type ConsentCaller,
  type ConsentContext,
  type ConsentDeps,
  type ConsentVersion,
} from '../consent/records/index.js';
import { buildHistoryBundle, buildSearchSet, pagingQuery, parseSearch } from '../fhir/index.js';
import { answerResourceRead, versionHeaders, versionOf } from './conditional-read.js';
import { answerWrite } from './prefer-return.js';
import { partnerOf } from './principal-of.js';
import type { RequestContext, Route, RouteResponse } from './route.js';
import type { AppServices } from './services.js';

const JSON_TYPES = ['application/fhir+json', 'application/json'] as const;
const JSON_PATCH = 'application/json-patch+json';
/** How many institutions that received her data under a withdrawn consent the gateway notified. */
const NOTIFIED_HEADER = 'Enlace-Notified-Institutions';

export type ConsentRouteDeps = Pick<AppServices, 'store' | 'clock' | 'config'> & {
  readonly consent: ConsentDeps;
};

const callerOf = (ctx: RequestContext): ConsentCaller => ({
  principal: partnerOf(ctx),
  requestId: ctx.requestId,
});

/** A created, found or revoked consent as the caller preferred it, with its version and Location. */
function writeAnswer(
  ctx: RequestContext,
  fhirBase: string,
  resource: Consent,
  status: number,
  outcome: string,
): RouteResponse {
  const version = versionOf(resource);
  return answerWrite(ctx, {
    status,
    resource,
    headers: {
      ...versionHeaders(version),
      Location: `${fhirBase}/Consent/${resource.id ?? ''}/_history/${version.versionId}`,
    },
    outcome,
  });
}

function toHistoryBundle(
  id: string,
  versions: readonly ConsentVersion[],
  fhirBase: string,
): Bundle<Consent> {
  return buildHistoryBundle(
    `${fhirBase}/Consent/${id}/_history`,
    `${fhirBase}/Consent/${id}`,
    versions.map((version) => ({
      resource: version.resource,
      versionId: String(version.version),
      lastUpdated: version.changedAt,
      ...(version.change === 'create'
        ? { request: { method: 'POST', url: 'Consent' }, status: '201 Created' }
        : { request: { method: 'PATCH', url: `Consent/${id}` }, status: '200 OK' }),
    })),
  );
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
        conditionalCreate: true,
      },
      handler: async (ctx) => {
        const { record, created } = await createConsentConditionally(
          ctx.body,
          ctx.headers['if-none-exist'],
          callerOf(ctx),
          context,
        );
        const reference = `Consent/${record.id}/_history/${record.version}`;
        return created
          ? writeAnswer(ctx, fhirBase, record.resource, 201, `${reference} recorded.`)
          : writeAnswer(
              ctx,
              fhirBase,
              record.resource,
              200,
              `If-None-Exist matched ${reference}; nothing was recorded.`,
            );
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
        searchParams: CONSENT_SEARCH_PARAM_DOCS,
        paging: CONSENT_SEARCH_PAGING,
      },
      handler: async (ctx) => {
        const search = parseSearch(ctx.query, consentSearchParams, CONSENT_SEARCH_PAGING);
        const page = await searchConsents(
          {
            patient: search.params.get('patient'),
            status: search.params.get('status'),
            count: search.count,
            sort: search.sort,
            ...(search.cursor === undefined ? {} : { cursor: search.cursor }),
          },
          callerOf(ctx),
          context,
        );
        // Why: links would repeat her identifier; they leave `patient` out (the cursor carries her).
        const query = pagingQuery(ctx.query, search);
        query.delete('patient');
        return {
          body: buildSearchSet(
            page.records.map((record) => record.resource),
            {
              url: `${fhirBase}/Consent`,
              query,
              ...(search.cursor === undefined ? {} : { cursor: search.cursor }),
              ...(page.next === undefined ? {} : { next: page.next }),
              total: page.total,
            },
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
        return answerResourceRead(ctx, record.resource);
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
        return answerResourceRead(ctx, version.resource);
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
        const revoked = revocation.record;
        const answer = writeAnswer(
          ctx,
          fhirBase,
          revoked.resource,
          200,
          `Consent/${revoked.id}/_history/${revoked.version} records the withdrawal.`,
        );
        // Why a count and not the names: the gateway itself sends each of them a consent-revoked
        // notice, and which institutions hold her data (a shelter is where she lives) is told only
        // through the governed, recorded $disclosures report, never to whoever withdraws.
        return {
          ...answer,
          headers: {
            ...answer.headers,
            [NOTIFIED_HEADER]: String(new Set(revocation.recipients).size),
          },
        };
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
