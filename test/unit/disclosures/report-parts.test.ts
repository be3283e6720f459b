import assert from 'node:assert/strict';
import {
  auditSubtype,
  auditType,
  buildAuditEvent,
  REQUEST_ID_SYSTEM,
} from '../../../src/audit/index.js';
import { PSEUDONYM_SYSTEM, PURPOSE_SYSTEM } from '../../../src/consent/index.js';
import { entriesFromLedger } from '../../../src/disclosures/build-entries.js';
import { CLOSED_STATUSES } from '../../../src/disclosures/check-may-ask.js';
import { classifyEvent } from '../../../src/disclosures/classify-event.js';
import { html } from '../../../src/disclosures/html/safe-html.js';
import type { CaseRecords } from '../../../src/disclosures/load-case-records.js';
import { readDisclosureQuery } from '../../../src/disclosures/read-disclosure-query.js';
import { isFinal, type ReferralStatus } from '../../../src/referrals/index.js';

const AT = new Date('2025-03-12T12:00:00Z');
const PSEUDONYM = 'k1.SY5tjPP2pPkSvQP4C6DNMEBlxueRhzv6thmw35Hcj9I';
const noRecords: CaseRecords = {
  referrals: new Map(),
  grants: new Map(),
  consents: new Map(),
  releases: [],
  truncated: false,
};

const evaluation = (outcome: '0' | '4', outcomeDesc: string) =>
  buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.operation,
    action: 'E',
    outcome,
    outcomeDesc,
    recorded: AT,
    agents: [{ reference: 'Organization/juzgado-1' }],
    entities: [{ identifier: { system: PSEUDONYM_SYSTEM, value: PSEUDONYM } }],
    purposeOfEvent: [{ system: PURPOSE_SYSTEM, code: 'legal-proceeding' }],
    requestId: 'r1',
  });

describe('disclosure report parts', () => {
  it('escapes every value given to the html tag, at any depth', () => {
    const name = '<script>alert("x")</script>';
    const page = html`<p title="${name}">${name} ${[html`<b>${"O'Brien & co"}</b>`]}</p>`;
    assert.equal(
      page.markup,
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <b>O&#39;Brien &amp; co</b></p>',
    );
  });

  it('closes the door at exactly the statuses the workflow calls final', () => {
    const all: ReferralStatus[] = [
      'requested',
      'received',
      'accepted',
      'rejected',
      'in-progress',
      'completed',
      'failed',
      'cancelled',
    ];
    assert.deepEqual(all.filter((status) => isFinal(status)).sort(), [...CLOSED_STATUSES].sort());
  });

  it('pseudonymises the identifier at once and takes a pseudonym given as an identifier as is', () => {
    const seen: string[] = [];
    const pseudonymize = (identifier: { system: string; value: string }) => {
      seen.push(identifier.value);
      return ['k2.aaaaaaaaaaaaaaaaaaaaaa', 'k1.bbbbbbbbbbbbbbbbbbbbbb'];
    };
    const byIdentifier = readDisclosureQuery(
      new URLSearchParams({ identifier: 'https://registro.example.org/cedula|4.567.890-1' }),
      pseudonymize,
    );
    assert.deepEqual(byIdentifier.pseudonyms, [
      'k2.aaaaaaaaaaaaaaaaaaaaaa',
      'k1.bbbbbbbbbbbbbbbbbbbbbb',
    ]);
    assert.deepEqual(seen, ['4.567.890-1']);
    const asIdentifier = readDisclosureQuery(
      new URLSearchParams({ identifier: `${PSEUDONYM_SYSTEM}|${PSEUDONYM}`, lang: 'en' }),
      pseudonymize,
    );
    assert.deepEqual(asIdentifier, { pseudonyms: [PSEUDONYM], lang: 'en' });
    assert.equal(seen.length, 1);
  });

  it('counts a consent evaluation that answered deny as a read of her consent, and a refusal as nothing', () => {
    const denied = classifyEvent(evaluation('4', 'deny: Her consent denies this request.'));
    assert.equal(denied.role === 'access' ? denied.kind : denied.role, 'consent-checked');
    const refused = classifyEvent(
      evaluation('4', 'ENLACE_INVALID_PARAMETER: purpose is required.'),
    );
    assert.equal(refused.role, 'ignored');
  });

  it('lists no release for a consent decision that nothing followed (a push that failed)', () => {
    const decision = buildAuditEvent({
      type: {
        system: 'https://enlace.example.org/fhir/CodeSystem/audit-event',
        code: 'consent-decision',
      },
      action: 'E',
      outcome: '0',
      recorded: AT,
      agents: [{ reference: 'Organization/casa-refugio', requestor: true }],
      entities: [{ identifier: { system: PSEUDONYM_SYSTEM, value: PSEUDONYM } }],
      requestId: 'delivery-1',
    });
    assert.ok(
      decision.entity?.some((entity) => entity.what?.identifier?.system === REQUEST_ID_SYSTEM),
    );
    assert.deepEqual(entriesFromLedger([{ seq: 1, event: decision }], noRecords), []);
  });
});
