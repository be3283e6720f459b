import assert from 'node:assert/strict';
import { readReviewDecision, isGrantInForce } from '../../../src/consent/emergency/index.js';
import { readEmergencyRequest } from '../../../src/consent/emergency/read-emergency-request.js';
import { GatewayError } from '../../../src/kernel/index.js';
import { DEFAULT_EMERGENCY_POLICY } from '../../../src/partners/index.js';

const PURPOSE = 'https://enlace.example.org/fhir/CodeSystem/consent-purpose';
const RISK = 'https://enlace.example.org/fhir/CodeSystem/risk-level';

const body = (...extra: object[]) => ({
  resourceType: 'Parameters',
  parameter: [
    { name: 'patient', valueIdentifier: { system: 'urn:x', value: 'A-1' } },
    { name: 'purpose', valueCoding: { system: PURPOSE, code: 'emergency' } },
    { name: 'justification', valueString: '  She called from a locked room; he is armed.  ' },
    ...extra,
  ],
});

const refusedWith = (code: string, expression?: string) => (error: unknown) => {
  assert.ok(error instanceof GatewayError);
  assert.equal(error.code, code);
  if (expression !== undefined) assert.deepEqual(error.expression, [expression]);
  return true;
};

describe('readEmergencyRequest', () => {
  it('reads a minimal request: trimmed justification, 24 hours, no risk level', () => {
    assert.deepEqual(readEmergencyRequest(body(), DEFAULT_EMERGENCY_POLICY), {
      patient: { system: 'urn:x', value: 'A-1' },
      justification: 'She called from a locked room; he is armed.',
      hours: 24,
    });
  });

  it('defaults to the policy maximum when it is below 24 hours', () => {
    const policy = { ...DEFAULT_EMERGENCY_POLICY, maxHours: 8 };
    assert.equal(readEmergencyRequest(body(), policy).hours, 8);
  });

  it('takes the risk level as a code or a coding of the risk-level system', () => {
    const asCode = readEmergencyRequest(
      body({ name: 'riskLevel', valueCode: 'extreme' }),
      DEFAULT_EMERGENCY_POLICY,
    );
    assert.equal(asCode.riskLevel, 'extreme');
    const asCoding = readEmergencyRequest(
      body({ name: 'riskLevel', valueCoding: { system: RISK, code: 'high' } }),
      DEFAULT_EMERGENCY_POLICY,
    );
    assert.equal(asCoding.riskLevel, 'high');
    assert.throws(
      () =>
        readEmergencyRequest(
          body({ name: 'riskLevel', valueCoding: { system: 'urn:other', code: 'high' } }),
          DEFAULT_EMERGENCY_POLICY,
        ),
      refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID', 'Parameters.parameter[3]'),
    );
  });

  it('accepts a justification of exactly 20 characters and refuses 19, 2001 and control characters', () => {
    const withJustification = (text: string) => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueIdentifier: { system: 'urn:x', value: 'A-1' } },
        { name: 'purpose', valueCoding: { system: PURPOSE, code: 'emergency' } },
        { name: 'justification', valueString: text },
      ],
    });
    assert.equal(
      readEmergencyRequest(withJustification(` ${'j'.repeat(20)} `), DEFAULT_EMERGENCY_POLICY)
        .justification,
      'j'.repeat(20),
    );
    for (const text of ['j'.repeat(19), 'j'.repeat(2001), `${'j'.repeat(20)}\u0000`]) {
      assert.throws(
        () => readEmergencyRequest(withJustification(text), DEFAULT_EMERGENCY_POLICY),
        refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID', 'Parameters.parameter[2].valueString'),
      );
    }
  });

  it('refuses hours outside 1 to the policy maximum, and non-integers', () => {
    for (const hours of [0, 25, 1.5, '2']) {
      assert.throws(
        () =>
          readEmergencyRequest(
            body({ name: 'hours', valueInteger: hours }),
            DEFAULT_EMERGENCY_POLICY,
          ),
        refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID'),
      );
    }
    assert.equal(
      readEmergencyRequest(body({ name: 'hours', valuePositiveInt: 3 }), DEFAULT_EMERGENCY_POLICY)
        .hours,
      3,
    );
  });

  it('refuses repeated parameters, two values in one and a value of the wrong type', () => {
    assert.throws(
      () =>
        readEmergencyRequest(
          body({ name: 'patient', valueIdentifier: { system: 'urn:x', value: 'B-2' } }),
          DEFAULT_EMERGENCY_POLICY,
        ),
      refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID', 'Parameters.parameter[3]'),
    );
    assert.throws(
      () =>
        readEmergencyRequest(
          body({ name: 'hours', valueInteger: 2, valueString: '2' }),
          DEFAULT_EMERGENCY_POLICY,
        ),
      refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID'),
    );
    assert.throws(
      () =>
        readEmergencyRequest(body({ name: 'grant', valueString: 'abc' }), DEFAULT_EMERGENCY_POLICY),
      refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID'),
    );
  });

  it('refuses a patient identifier without a system or value', () => {
    const request = body();
    request.parameter[0] = { name: 'patient', valueIdentifier: { system: 'urn:x', value: ' ' } };
    assert.throws(
      () => readEmergencyRequest(request, DEFAULT_EMERGENCY_POLICY),
      refusedWith('ENLACE_EMERGENCY_PARAMETER_INVALID', 'Parameters.parameter[0].valueIdentifier'),
    );
  });

  it('names each missing required parameter with a required refusal', () => {
    for (const [index, name] of ['patient', 'purpose', 'justification'].entries()) {
      const request = body();
      request.parameter.splice(index, 1);
      assert.throws(
        () => readEmergencyRequest(request, DEFAULT_EMERGENCY_POLICY),
        refusedWith(
          'ENLACE_EMERGENCY_PARAMETER_MISSING',
          `Parameters.parameter.where(name='${name}')`,
        ),
      );
    }
  });
});

describe('readReviewDecision', () => {
  it('reads an outcome with an optional trimmed note', () => {
    assert.deepEqual(readReviewDecision({ outcome: 'justified' }), { outcome: 'justified' });
    assert.deepEqual(readReviewDecision({ outcome: 'needs-follow-up', note: ' call back ' }), {
      outcome: 'needs-follow-up',
      note: 'call back',
    });
  });

  it('requires a note for unjustified and refuses unknown outcomes and long notes', () => {
    assert.throws(
      () => readReviewDecision({ outcome: 'unjustified', note: '  ' }),
      refusedWith('ENLACE_EMERGENCY_REVIEW_INVALID', 'note'),
    );
    assert.throws(
      () => readReviewDecision({ outcome: 'ok' }),
      refusedWith('ENLACE_EMERGENCY_REVIEW_INVALID', 'outcome'),
    );
    assert.throws(
      () => readReviewDecision({ outcome: 'justified', note: 'n'.repeat(2001) }),
      refusedWith('ENLACE_EMERGENCY_REVIEW_INVALID', 'note'),
    );
    assert.throws(() => readReviewDecision([]), refusedWith('ENLACE_EMERGENCY_REVIEW_INVALID'));
  });
});

describe('isGrantInForce', () => {
  const grant = {
    id: 'g',
    pseudonym: 'k.p',
    keyId: 'k',
    organization: 'o',
    role: 'police',
    justification: 'j',
    grantedAt: new Date('2025-01-01T00:00:00Z'),
    expiresAt: new Date('2025-01-02T00:00:00Z'),
  };
  it('holds from the grant time up to, not including, the expiry, and not once stopped', () => {
    assert.equal(isGrantInForce(grant, new Date('2024-12-31T23:59:59.999Z')), false);
    assert.equal(isGrantInForce(grant, grant.grantedAt), true);
    assert.equal(isGrantInForce(grant, new Date('2025-01-01T23:59:59.999Z')), true);
    assert.equal(isGrantInForce(grant, grant.expiresAt), false);
    assert.equal(
      isGrantInForce({ ...grant, stoppedAt: new Date('2025-01-01T01:00:00Z') }, grant.grantedAt),
      false,
    );
  });
});
