import assert from 'node:assert/strict';
import {
  ERROR_CODE_SYSTEM,
  REQUEST_ID_EXTENSION,
  buildOperationOutcome,
} from '../../../src/fhir/index.js';

describe('buildOperationOutcome', () => {
  it('builds an OperationOutcome with one issue per input, severity error by default', () => {
    const outcome = buildOperationOutcome([
      { code: 'required', text: 'Bundle.type is required' },
      { code: 'value', severity: 'warning', text: 'odd value' },
    ]);
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.deepEqual(outcome.issue, [
      { severity: 'error', code: 'required', details: { text: 'Bundle.type is required' } },
      { severity: 'warning', code: 'value', details: { text: 'odd value' } },
    ]);
  });

  it('carries the request id in the request-id extension', () => {
    const outcome = buildOperationOutcome([{ code: 'exception', text: 'x' }], 'req-42');
    assert.deepEqual(outcome.extension, [{ url: REQUEST_ID_EXTENSION, valueString: 'req-42' }]);
  });

  it('has no extension when no request id is given', () => {
    const outcome = buildOperationOutcome([{ code: 'exception', text: 'x' }]);
    assert.equal('extension' in outcome, false);
  });

  it('puts the Enlace error code in details.coding with the error-code system', () => {
    const outcome = buildOperationOutcome([
      { code: 'structure', errorCode: 'ENLACE_MALFORMED_JSON', text: 'not JSON' },
    ]);
    assert.deepEqual(outcome.issue[0]?.details, {
      coding: [{ system: ERROR_CODE_SYSTEM, code: 'ENLACE_MALFORMED_JSON' }],
      text: 'not JSON',
    });
  });

  it('has no details.coding when no error code is given', () => {
    const outcome = buildOperationOutcome([{ code: 'invalid', text: 'x' }]);
    assert.equal(
      outcome.issue[0]?.details !== undefined && 'coding' in outcome.issue[0].details,
      false,
    );
  });

  it('includes expression only when there is at least one', () => {
    const [withExpression, emptyExpression, noExpression] = buildOperationOutcome([
      { code: 'required', text: 'a', expression: ['Bundle.entry[0].resource', 'Bundle.type'] },
      { code: 'required', text: 'b', expression: [] },
      { code: 'required', text: 'c' },
    ]).issue;
    assert.deepEqual(withExpression?.expression, ['Bundle.entry[0].resource', 'Bundle.type']);
    assert.equal(emptyExpression !== undefined && 'expression' in emptyExpression, false);
    assert.equal(noExpression !== undefined && 'expression' in noExpression, false);
  });

  it('copies the expression list rather than sharing it', () => {
    const expression = ['Patient.name'];
    const outcome = buildOperationOutcome([{ code: 'value', text: 'x', expression }]);
    expression.push('Patient.telecom');
    assert.deepEqual(outcome.issue[0]?.expression, ['Patient.name']);
  });

  it('serialises without empty arrays or undefined members', () => {
    const text = JSON.stringify(buildOperationOutcome([{ code: 'exception', text: 'x' }]));
    assert.ok(!text.includes('[]'), text);
    assert.deepEqual(JSON.parse(text), {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'exception', details: { text: 'x' } }],
    });
  });
});
