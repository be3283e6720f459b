import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GatewayError,
  errorRegistry,
  isGatewayError,
  type ErrorCode,
} from '../../../src/kernel/index.js';

// The FHIR R4 IssueType value set, http://hl7.org/fhir/R4/valueset-issue-type.html, copied by hand.
const FHIR_R4_ISSUE_TYPES = new Set([
  'invalid',
  'structure',
  'required',
  'value',
  'invariant',
  'security',
  'login',
  'unknown',
  'expired',
  'forbidden',
  'suppressed',
  'processing',
  'not-supported',
  'duplicate',
  'multiple-matches',
  'not-found',
  'deleted',
  'too-long',
  'code-invalid',
  'extension',
  'too-costly',
  'business-rule',
  'conflict',
  'transient',
  'lock-error',
  'no-store',
  'exception',
  'timeout',
  'incomplete',
  'throttled',
  'informational',
]);

const SRC_DIR = fileURLToPath(new URL('../../../src/', import.meta.url));

const registryEntries = Object.entries(errorRegistry) as [
  ErrorCode,
  (typeof errorRegistry)[ErrorCode],
][];

async function listTypeScriptFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('error registry', () => {
  it('has at least one code', () => {
    assert.ok(registryEntries.length > 0);
  });

  for (const [code, spec] of registryEntries) {
    describe(code, () => {
      it('is spelt ENLACE_ in capitals, digits and underscores', () => {
        assert.match(code, /^ENLACE_[A-Z0-9_]+$/);
      });

      it('maps to a 4xx or 5xx HTTP status', () => {
        assert.ok(Number.isInteger(spec.status), `${code} status is an integer`);
        assert.ok(spec.status >= 400 && spec.status <= 599, `${code} status ${spec.status}`);
      });

      it('maps to an IssueType from the FHIR R4 issue-type value set', () => {
        assert.ok(FHIR_R4_ISSUE_TYPES.has(spec.issue), `${code} issue "${spec.issue}"`);
      });

      it('gives a GatewayError its status, issue and expose flag', () => {
        const error = new GatewayError(code, 'a message');
        assert.equal(error.code, code);
        assert.equal(error.status, spec.status);
        assert.equal(error.issue, spec.issue);
        assert.equal(error.expose, spec.expose);
      });
    });
  }

  it('does not expose ENLACE_INTERNAL to clients', () => {
    assert.equal(errorRegistry.ENLACE_INTERNAL.expose, false);
    assert.equal(errorRegistry.ENLACE_INTERNAL.status, 500);
    assert.equal(new GatewayError('ENLACE_INTERNAL', 'detail').expose, false);
  });

  it('refers only to registry codes wherever src/ constructs a GatewayError', async () => {
    const files = await listTypeScriptFiles(SRC_DIR);
    assert.ok(files.length > 0, 'src/ has TypeScript files');
    const used = new Map<string, string>();
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const match of text.matchAll(/new\s+GatewayError\s*\(\s*(['"`])([^'"`]*)\1/g)) {
        used.set(match[2] ?? '', file);
      }
      // Why: a code passed through a variable or a cast escapes the registry's type check.
      for (const match of text.matchAll(/new\s+GatewayError\s*\(\s*(?![\s'"`])([^,)]*)/g)) {
        assert.fail(`${file} constructs a GatewayError from a non-literal: ${match[1] ?? ''}`);
      }
    }
    assert.ok(used.size > 0, 'src/ constructs GatewayErrors');
    for (const [code, file] of used) {
      assert.ok(Object.hasOwn(errorRegistry, code), `${file} uses unknown code ${code}`);
    }
  });
});

describe('GatewayError', () => {
  it('keeps the message, expression, headers and cause it was given', () => {
    const cause = new Error('low level');
    const error = new GatewayError('ENLACE_METHOD_NOT_ALLOWED', 'POST is not allowed', {
      expression: ['Bundle.entry[0]'],
      headers: { Allow: 'GET' },
      cause,
    });
    assert.equal(error.message, 'POST is not allowed');
    assert.equal(error.name, 'GatewayError');
    assert.deepEqual(error.expression, ['Bundle.entry[0]']);
    assert.deepEqual(error.headers, { Allow: 'GET' });
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });

  it('defaults to no expression, no headers and no cause', () => {
    const error = new GatewayError('ENLACE_BODY_REQUIRED', 'needs a body');
    assert.deepEqual(error.expression, []);
    assert.deepEqual(error.headers, {});
    assert.equal('cause' in error, false);
  });

  it('is recognised by isGatewayError, and plain errors are not', () => {
    assert.equal(isGatewayError(new GatewayError('ENLACE_INTERNAL', 'x')), true);
    assert.equal(isGatewayError(new Error('x')), false);
    assert.equal(isGatewayError({ code: 'ENLACE_INTERNAL', status: 500 }), false);
    assert.equal(isGatewayError(null), false);
  });
});
