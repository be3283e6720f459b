import assert from 'node:assert/strict';
import { answerWrite, readReturnPreference } from '../../../src/http/prefer-return.js';

describe('Prefer: return= (RFC 7240)', () => {
  it('reads the three FHIR values, with quotes, parameters and other preferences around', () => {
    const cases: [string | string[], string | undefined][] = [
      ['return=minimal', 'minimal'],
      ['return=representation', 'representation'],
      ['return=OperationOutcome', 'OperationOutcome'],
      ['return="minimal"', 'minimal'],
      ['RETURN=minimal; x=1', 'minimal'],
      ['respond-async, wait=10, return=minimal', 'minimal'],
      [['handling=strict', 'return=OperationOutcome'], 'OperationOutcome'],
    ];
    for (const [header, expected] of cases) {
      assert.equal(readReturnPreference({ prefer: header }), expected, String(header));
    }
  });

  it('ignores what it does not know, and every return after the first', () => {
    for (const header of ['return=all', 'return=operationoutcome', 'return', 'respond-async', '']) {
      assert.equal(readReturnPreference({ prefer: header }), undefined, header);
    }
    assert.equal(readReturnPreference({}), undefined);
    assert.equal(readReturnPreference({ prefer: 'return=bogus, return=minimal' }), undefined);
    assert.equal(readReturnPreference({ prefer: 'return=minimal, return=bogus' }), 'minimal');
  });

  it('keeps status and headers whatever the body, and says which preference it applied', () => {
    const answer = {
      status: 201,
      resource: { resourceType: 'Consent' },
      headers: { ETag: 'W/"1"', Location: 'https://x/fhir/Consent/a/_history/1' },
      outcome: 'Consent/a/_history/1 recorded.',
    };
    const minimal = answerWrite({ headers: { prefer: 'return=minimal' }, requestId: 'r1' }, answer);
    assert.deepEqual(minimal, {
      status: 201,
      headers: { ...answer.headers, 'Preference-Applied': 'return=minimal' },
      body: undefined,
    });
    const plain = answerWrite({ headers: {}, requestId: 'r1' }, answer);
    assert.deepEqual(plain, { status: 201, headers: answer.headers, body: answer.resource });
    const outcome = answerWrite(
      { headers: { prefer: 'return=OperationOutcome' }, requestId: 'r1' },
      answer,
    );
    assert.deepEqual(outcome.body, {
      resourceType: 'OperationOutcome',
      extension: [
        {
          url: 'https://enlace.example.org/fhir/StructureDefinition/request-id',
          valueString: 'r1',
        },
      ],
      issue: [
        {
          severity: 'information',
          code: 'informational',
          details: { text: 'Consent/a/_history/1 recorded.' },
        },
      ],
    });
  });
});
