import assert from 'node:assert/strict';
import fc from 'fast-check';
import { grantScopes, parseScopeParameter } from '../../../src/auth/grant-scopes.js';
import { scopesCover } from '../../../src/auth/scopes-cover.js';
import { formatScope, parseRequestedScope, parseV2Scope } from '../../../src/auth/system-scope.js';

const grant = (requested: string, ceiling: readonly string[]): string[] =>
  grantScopes(parseScopeParameter(requested), parseScopeParameter(ceiling.join(' ')));

describe('SMART system scopes', () => {
  it('parses a v2 scope and formats it back in c, r, u, d, s order', () => {
    const scope = parseV2Scope('system/Task.rus');
    assert.ok(scope !== undefined);
    assert.equal(scope.resourceType, 'Task');
    assert.deepEqual([...scope.permissions].sort(), ['r', 's', 'u']);
    assert.equal(formatScope(scope), 'system/Task.rus');
  });

  it('refuses v2 permissions out of order, repeated or empty', () => {
    for (const text of ['system/Task.sr', 'system/Task.rr', 'system/Task.', 'system/Task.x']) {
      assert.equal(parseV2Scope(text), undefined, text);
    }
  });

  it('refuses patient and user scopes, lower-case types, granular queries and padding', () => {
    for (const text of [
      'patient/Task.rs',
      'user/Task.rs',
      'system/task.rs',
      'system/Observation.rs?category=laboratory',
      ' system/Task.rs',
      'openid',
      'system/../Task.rs',
    ]) {
      assert.equal(parseRequestedScope(text), undefined, text);
    }
  });

  it('translates v1 read, write and * to v2 rs, cud and cruds', () => {
    const v2 = (text: string): string | undefined => {
      const scope = parseRequestedScope(text);
      return scope === undefined ? undefined : formatScope(scope);
    };
    assert.equal(v2('system/Task.read'), 'system/Task.rs');
    assert.equal(v2('system/Task.write'), 'system/Task.cud');
    assert.equal(v2('system/*.*'), 'system/*.cruds');
  });

  it('does not accept v1 syntax where a v2 requirement is expected', () => {
    assert.equal(parseV2Scope('system/Task.read'), undefined);
  });
});

describe('grantScopes', () => {
  const ceiling = ['system/Task.rus', 'system/Bundle.cr', 'system/Organization.rs'];

  it('grants a request inside the ceiling unchanged', () => {
    assert.deepEqual(grant('system/Task.rs', ceiling), ['system/Task.rs']);
  });

  it('drops the permissions the ceiling lacks', () => {
    assert.deepEqual(grant('system/Task.cruds', ceiling), ['system/Task.rus']);
  });

  it('drops resource types outside the ceiling and keeps the rest', () => {
    assert.deepEqual(grant('system/Consent.r system/Bundle.c', ceiling), ['system/Bundle.c']);
  });

  it('expands a requested wildcard type to the ceiling types it meets', () => {
    assert.deepEqual(grant('system/*.rs', ceiling), [
      'system/Bundle.r',
      'system/Organization.rs',
      'system/Task.rs',
    ]);
  });

  it('narrows a wildcard ceiling to the requested type', () => {
    assert.deepEqual(grant('system/Consent.cruds', ['system/*.rs']), ['system/Consent.rs']);
  });

  it('keeps a wildcard when both sides are wildcards and drops specifics it already covers', () => {
    assert.deepEqual(grant('system/*.r system/Task.r', ['system/*.rs']), ['system/*.r']);
  });

  it('merges overlapping requests for one type', () => {
    assert.deepEqual(grant('system/Task.r system/Task.u system/Task.read', ceiling), [
      'system/Task.rus',
    ]);
  });

  it('grants nothing when nothing overlaps', () => {
    assert.deepEqual(grant('system/Consent.d patient/Task.rs openid', ceiling), []);
    assert.deepEqual(grant('', ceiling), []);
  });

  it('never grants more than the ceiling, whatever is asked', () => {
    const asked = 'system/*.cruds system/Task.cruds system/AuditEvent.cruds system/*.*';
    for (const scope of grant(asked, ceiling)) {
      assert.ok(
        ceiling.some((limit) => scopesCover([limit], scope)),
        `${scope} is within the ceiling`,
      );
    }
  });
});

describe('scopesCover', () => {
  it('is met when every required permission is granted for the type', () => {
    assert.equal(scopesCover(['system/Task.rus'], 'system/Task.rs'), true);
  });

  it('may combine several granted scopes', () => {
    assert.equal(scopesCover(['system/Task.r', 'system/Task.s'], 'system/Task.rs'), true);
  });

  it('accepts a wildcard grant for any type', () => {
    assert.equal(scopesCover(['system/*.rs'], 'system/Task.rs'), true);
    assert.equal(scopesCover(['system/*.r', 'system/Task.s'], 'system/Task.rs'), true);
  });

  it('is not met when a permission is missing', () => {
    assert.equal(scopesCover(['system/Task.r'], 'system/Task.rs'), false);
  });

  it('is not met by another type', () => {
    assert.equal(scopesCover(['system/Bundle.cruds'], 'system/Task.r'), false);
  });

  it('requires a wildcard grant for a wildcard requirement', () => {
    assert.equal(scopesCover(['system/Task.r'], 'system/*.r'), false);
    assert.equal(scopesCover(['system/*.r'], 'system/*.r'), true);
  });

  it('fails closed on a malformed requirement or grant', () => {
    assert.equal(scopesCover(['system/Task.rs'], 'system/Task.read'), false);
    assert.equal(scopesCover(['system/Task.rs'], ''), false);
    assert.equal(scopesCover(['system/Task.read'], 'system/Task.r'), false);
  });
});

describe('grantScopes, for any request and ceiling', () => {
  const scopeText = fc
    .tuple(
      fc.constantFrom('Task', 'Bundle', 'Consent', '*'),
      fc.subarray(['c', 'r', 'u', 'd', 's'], { minLength: 1 }),
    )
    .map(([type, letters]) => `system/${type}.${letters.join('')}`);

  it('grants only what both the request and the ceiling cover', () => {
    fc.assert(
      fc.property(
        fc.array(scopeText, { maxLength: 6 }),
        fc.array(scopeText, { maxLength: 6 }),
        (asked, ceiling) => {
          for (const scope of grant(asked.join(' '), ceiling)) {
            assert.ok(scopesCover(ceiling, scope), `${scope} within ${ceiling.join(' ')}`);
            assert.ok(scopesCover(asked, scope), `${scope} was asked in ${asked.join(' ')}`);
          }
        },
      ),
    );
  });

  it('grants everything the request and the ceiling both cover', () => {
    fc.assert(
      fc.property(
        fc.array(scopeText, { maxLength: 6 }),
        fc.array(scopeText, { maxLength: 6 }),
        (asked, ceiling) => {
          const granted = grant(asked.join(' '), ceiling);
          for (const type of ['Task', 'Bundle', 'Consent']) {
            for (const letter of ['c', 'r', 'u', 'd', 's']) {
              const probe = `system/${type}.${letter}`;
              if (scopesCover(asked, probe) && scopesCover(ceiling, probe)) {
                assert.ok(scopesCover(granted, probe), `${probe} granted`);
              }
            }
          }
        },
      ),
    );
  });
});
