import assert from 'node:assert/strict';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { Ajv } from 'ajv';
import { loadBaseDefinitions } from '../../../scripts/profiles/base-definitions.js';
import { narrowSchema } from '../../../scripts/profiles/generate-base-validator.js';
import { checkEmptyElements } from '../../../src/profiles/check-empty-elements.js';
import type { JsonValue } from '../../../src/profiles/json-value.js';
import type { ValidationIssue } from '../../../src/profiles/validation-issue.js';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { CONTACT_PHONE } from '../referrals/referral-fixtures.js';
import {
  IDENTIFIER,
  JUSTIFICATION,
  NATIONAL_ID,
  tellStory,
  type DisclosureStory,
} from './disclosure-story.js';

const BASIS = 'https://enlace.example.org/fhir/StructureDefinition/disclosure-basis';
const GRANT_SYSTEM = 'https://enlace.example.org/fhir/NamingSystem/emergency-grant';

const kindOf = (event: AuditEvent) => event.subtype?.[0]?.code;
const basisOf = (event: AuditEvent) => event.extension?.find((ext) => ext.url === BASIS)?.valueCode;
const whoOf = (event: AuditEvent) => event.agent[0]?.who?.reference;
const entityRefs = (event: AuditEvent) =>
  (event.entity ?? []).map((entity) => entity.what?.reference).filter(Boolean);

/** The official R4 schema for the types the report uses, and FHIR's no-empty-element rule. */
function structuralProblems(bundle: Bundle): string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
  const validate = ajv.compile(
    narrowSchema(loadBaseDefinitions(), ['Bundle', 'AuditEvent', 'OperationOutcome']),
  );
  const problems = validate(bundle)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  const empty: ValidationIssue[] = [];
  checkEmptyElements(bundle as unknown as JsonValue, 'Bundle', empty);
  return [...problems, ...empty.map((issue) => issue.text)];
}

for (const engine of testEngines()) {
  describe(`who saw my case: the FHIR report (${engine.name})`, function () {
    let database: TestDatabase;
    let story: DisclosureStory;
    let bundle: Bundle;
    let events: AuditEvent[];

    before(async () => {
      database = await engine.create();
      story = await tellStory(database.env);
      const res = await story.ask('auditor', `identifier=${encodeURIComponent(IDENTIFIER)}`);
      assert.equal(res.status, 200, res.text);
      assert.match(String(res.headers['content-type']), /^application\/fhir\+json/);
      bundle = res.body as Bundle;
      events = (bundle.entry ?? []).map((entry) => entry.resource as AuditEvent);
      assert.deepEqual(
        (bundle.entry ?? []).map((entry) => entry.resource?.resourceType),
        events.map(() => 'AuditEvent'),
      );
    });
    after(async () => {
      await story.dispose();
      await database.drop();
    });

    it('answers a searchset of AuditEvents that validates against the R4 schema', () => {
      assert.equal(bundle.resourceType, 'Bundle');
      assert.equal(bundle.type, 'searchset');
      assert.equal(bundle.total, events.length);
      assert.deepEqual(structuralProblems(bundle), []);
    });

    it('lists every access of the story, in the order they happened', () => {
      assert.deepEqual(
        events.map((event) => [kindOf(event), whoOf(event)]),
        [
          ['consent-recorded', 'Organization/police-central'],
          ['referral-sent', 'Organization/police-central'],
          ['referral-received', 'Organization/casa-refugio'],
          ['consent-read', 'Organization/casa-refugio'],
          ['emergency-access', 'Organization/hospital-norte'],
          ['referral-sent', 'Organization/police-central'],
          ['referral-received', 'Organization/hospital-norte'],
          ['referral-read', 'Organization/police-central'],
        ],
      );
      const times = events.map((event) => Date.parse(event.recorded));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
    });

    it('gives the referral to the shelter her consent as basis, naming the version relied on', () => {
      const [sent, received] = events.filter(
        (event) =>
          entityRefs(event).includes(`Task/${story.toShelter}`) ||
          entityRefs(event).includes(`Bundle/${story.toShelter}`),
      );
      assert.ok(sent !== undefined && received !== undefined);
      for (const event of [sent, received]) {
        assert.equal(basisOf(event), 'consent');
        assert.ok(entityRefs(event).includes(`Consent/${story.consentId}/_history/1`));
      }
      assert.deepEqual(sent.agent[1]?.who, {
        reference: 'Organization/casa-refugio',
        display: 'casa-refugio',
      });
      assert.deepEqual(
        sent.purposeOfEvent?.[0]?.coding?.map((coding) => coding.code),
        ['shelter'],
      );
      const released = received.entity?.find(
        (entity) => entity.what?.reference === `Bundle/${story.toShelter}`,
      );
      assert.deepEqual(
        released?.securityLabel?.map((label) => label.code),
        ['contact-details', 'risk-assessment'],
      );
    });

    it('marks the health service access as break-the-glass, with the grant, its justification and review state', () => {
      const underGrant = events.filter((event) => basisOf(event) === 'break-the-glass');
      assert.deepEqual(
        underGrant.map((event) => kindOf(event)),
        ['emergency-access', 'referral-sent', 'referral-received'],
      );
      for (const event of underGrant) {
        const grant = event.entity?.find(
          (entity) => entity.what?.identifier?.system === GRANT_SYSTEM,
        );
        assert.equal(grant?.what?.identifier?.value, story.grantId);
        const details = Object.fromEntries(
          (grant.detail ?? []).map((d) => [d.type, d.valueString]),
        );
        assert.equal(details.justification, JUSTIFICATION);
        assert.equal(details.review, 'pending');
        assert.ok(
          event.purposeOfEvent?.[0]?.coding?.some((coding) => coding.code === 'ETREAT'),
          'purposeOfEvent carries Emergency Treatment',
        );
        // Why: the consent that denied health is not what allowed it, and must not be shown as such.
        assert.ok(!entityRefs(event).some((reference) => reference?.startsWith('Consent/')));
      }
    });

    it('links each entry to the ledger records it summarises, and names her by pseudonym only', () => {
      for (const event of events) {
        assert.ok(entityRefs(event).some((reference) => reference?.startsWith('AuditEvent/')));
        const patient = event.entity?.find((entity) => entity.role?.code === '1');
        assert.equal(patient?.what?.identifier?.value, story.pseudonym);
      }
      const text = JSON.stringify(bundle);
      assert.ok(!text.includes(NATIONAL_ID));
      assert.ok(!text.includes(NATIONAL_ID.replace(/\D/g, '')));
      assert.ok(!text.includes(CONTACT_PHONE));
      assert.ok(!/"Ana"/.test(text));
    });

    it('accepts her pseudonym in place of the identifier, and lists the earlier request', async () => {
      const res = await story.ask('auditor', `patient=${story.pseudonym}`);
      assert.equal(res.status, 200, res.text);
      const again = ((res.body as Bundle).entry ?? []).map((entry) => entry.resource as AuditEvent);
      const last = again.at(-1);
      assert.equal(last === undefined ? undefined : kindOf(last), 'report-requested');
      assert.equal(last === undefined ? undefined : basisOf(last), 'oversight');
      assert.equal(again.length, events.length + 1);
    });
  });
}
