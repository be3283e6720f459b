// "Who saw my case": GET /fhir/Patient/$disclosures, as FHIR AuditEvents or a printable page.
import { randomBytes } from 'node:crypto';
import {
  answerDisclosureRequest,
  buildDisclosureBundle,
  chooseLanguage,
  DISCLOSURES_DEFINITION,
  DISCLOSURES_OPERATION,
  renderReportPage,
  type DisclosureDeps,
} from '../disclosures/index.js';
import { FHIR_JSON } from '../fhir/index.js';
import type { AccessRequirement } from '../kernel/index.js';
import { principalOf } from './principal-of.js';
import type { Route } from './route.js';
import type { AppServices } from './services.js';

const HTML = 'text/html';

export type DisclosureRouteDeps = Pick<AppServices, 'store' | 'clock' | 'config' | 'consent'>;

/**
 * Why a union: auditors (person sessions) and institutions (partner tokens) ask the same question
 * of the same resource. Why `system/Task.r` for institutions: the right to ask rests on an open
 * referral, which is a Task the institution already reads with that scope; every partner role
 * holds it. Whether the referral is open is checked per survivor, inside.
 */
export const DISCLOSURES_ACCESS: AccessRequirement = {
  kind: 'any',
  of: [
    { kind: 'partner', scope: 'system/Task.r' },
    { kind: 'person', roles: ['auditor'] },
  ],
};

/** Only the page's own style element may apply; no script, image, font, frame or form at all. */
const pagePolicy = (nonce: string): string =>
  `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function disclosureRoutes(deps: DisclosureRouteDeps): Route[] {
  const fhirBase = `${deps.config.publicUrl}/fhir`;
  const disclosureDeps: DisclosureDeps = {
    store: deps.store,
    clock: deps.clock,
    pseudonymize: (identifier) =>
      deps.consent.pseudonymizer.all(identifier).map((pseudonym) => pseudonym.value),
  };
  return [
    {
      method: 'GET',
      path: `/fhir/Patient/$${DISCLOSURES_OPERATION}`,
      operationId: 'patientDisclosures',
      access: DISCLOSURES_ACCESS,
      produces: [FHIR_JSON, HTML],
      fhir: {
        kind: 'operation',
        name: DISCLOSURES_OPERATION,
        definition: DISCLOSURES_DEFINITION,
        resource: 'Patient',
      },
      handler: async (ctx) => {
        const { query, report } = await answerDisclosureRequest(disclosureDeps, {
          principal: principalOf(ctx),
          query: ctx.query,
          requestId: ctx.requestId,
          mediaType: ctx.responseType,
        });
        if (ctx.responseType === HTML) {
          const nonce = randomBytes(16).toString('base64');
          const lang = chooseLanguage(query.lang, ctx.headers);
          return {
            body: renderReportPage(report, { lang, nonce, reference: ctx.requestId }),
            contentType: 'text/html; charset=utf-8',
            headers: {
              'Content-Security-Policy': pagePolicy(nonce),
              'Content-Language': lang,
              Vary: 'Accept, Accept-Language',
            },
          };
        }
        return {
          // Why the self link names no one: it would repeat her identifier wherever it is logged.
          body: buildDisclosureBundle(report, {
            self: `${fhirBase}/Patient/$${DISCLOSURES_OPERATION}?patient=redacted`,
            ...(query.pseudonyms[0] === undefined ? {} : { pseudonym: query.pseudonyms[0] }),
          }),
          headers: { Vary: 'Accept' },
        };
      },
    },
  ];
}
