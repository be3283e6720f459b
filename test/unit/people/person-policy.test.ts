import assert from 'node:assert/strict';
import { isGatewayError } from '../../../src/kernel/index.js';
import {
  checkPassword,
  checkRole,
  checkUsername,
  toUsername,
} from '../../../src/people/person-policy.js';

const invalid = (expression: string) => (err: unknown) =>
  isGatewayError(err) && err.code === 'ENLACE_PERSON_INVALID' && err.expression[0] === expression;

describe('person policy', () => {
  it('accepts usernames of 3-64 safe characters and lower-cases them', () => {
    assert.equal(checkUsername('Ana.Ruiz'), 'ana.ruiz');
    assert.equal(checkUsername('op_1-x'), 'op_1-x');
    assert.equal(checkUsername('a'.repeat(64)), 'a'.repeat(64));
  });

  it('refuses usernames that are too short, too long or carry other characters', () => {
    for (const name of ['ab', 'a'.repeat(65), '.ana', 'ana ruiz', 'ana@x', 'añá', 'ana\n', '']) {
      assert.throws(() => checkUsername(name), invalid('username'), JSON.stringify(name));
      assert.equal(toUsername(name), undefined);
    }
  });

  it('accepts passwords of 12 to 1024 characters', () => {
    assert.equal(checkPassword('a'.repeat(12)), 'a'.repeat(12));
    assert.equal(checkPassword('a'.repeat(1024)).length, 1024);
    // Counted in characters, not UTF-16 units: 12 emoji are 12 characters.
    assert.ok(checkPassword('🔐'.repeat(12)));
  });

  it('refuses passwords shorter than 12 or longer than 1024 characters', () => {
    assert.throws(() => checkPassword('a'.repeat(11)), invalid('password'));
    assert.throws(() => checkPassword('a'.repeat(1025)), invalid('password'));
  });

  it('knows the roles operator and auditor only', () => {
    assert.equal(checkRole('operator'), 'operator');
    assert.equal(checkRole('auditor'), 'auditor');
    assert.throws(() => checkRole('admin'), invalid('role'));
  });
});
