// Asserts the uniform chain refusal and, for the test's eyes only, which check produced it.
import assert from 'node:assert/strict';
import { isGatewayError } from '../../../src/kernel/index.js';
import { CHAIN_FAILURE_MESSAGE } from '../../../src/pki/index.js';

export function refusedChain(reason: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isGatewayError(error), String(error));
    assert.equal(error.code, 'ENLACE_CERTIFICATE_INVALID');
    assert.equal(error.status, 401);
    assert.equal(error.issue, 'security');
    // The client sees the same words whatever failed: no oracle.
    assert.equal(error.message, CHAIN_FAILURE_MESSAGE);
    assert.ok(error.cause instanceof Error);
    assert.match(error.cause.message, reason);
    return true;
  };
}
