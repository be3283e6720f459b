// Checks AuditEvents against the FHIR R4 JSON Schema and FHIR's no-empty-element rule (ele-1).
import type { AuditEvent } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';
import { loadBaseDefinitions } from '../../scripts/profiles/base-definitions.js';
import { narrowSchema } from '../../scripts/profiles/generate-base-validator.js';
import { checkEmptyElements } from '../../src/profiles/check-empty-elements.js';
import type { JsonValue } from '../../src/profiles/json-value.js';
import type { ValidationIssue } from '../../src/profiles/validation-issue.js';
import type { Store } from '../../src/store/index.js';

let compiled: ValidateFunction | undefined;

/**
 * The official R4 schema narrowed as the gateway's own validator is (Medplum's additions removed),
 * rooted at AuditEvent; compiled once per test process.
 */
function auditEventSchema(): ValidateFunction {
  if (compiled !== undefined) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
  compiled = ajv.compile(narrowSchema(loadBaseDefinitions(), ['AuditEvent']));
  return compiled;
}

/** Every problem of one AuditEvent, as lines a failing assertion can print; empty when it conforms. */
export function auditEventProblems(event: AuditEvent): string[] {
  const validate = auditEventSchema();
  const problems = validate(event)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  const empty: ValidationIssue[] = [];
  checkEmptyElements(event as unknown as JsonValue, 'AuditEvent', empty);
  return [...problems, ...empty.map((issue) => issue.text)];
}

/**
 * Throws when any AuditEvent in the store breaks the R4 schema or has an empty element. The test
 * harnesses call it before closing a store, so every event any suite writes is checked.
 */
export async function assertStoredAuditEventsConform(store: Pick<Store, 'audit'>): Promise<number> {
  let checked = 0;
  for (let afterSeq = 0; ;) {
    const page = await store.audit.list({ afterSeq, limit: 1000 });
    if (page.length === 0) return checked;
    for (const record of page) {
      const problems = auditEventProblems(record.event);
      if (problems.length > 0) {
        throw new Error(
          `AuditEvent #${record.seq} (${record.event.type.code ?? '?'}/${
            record.event.subtype?.[0]?.code ?? '-'
          }) does not conform to FHIR R4: ${problems.join('; ')}\n${JSON.stringify(record.event)}`,
        );
      }
      checked += 1;
    }
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
}
