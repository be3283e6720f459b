import assert from 'node:assert/strict';
import { readTaskSearch } from '../../../src/referrals/retrieval/index.js';
import { readTaskPatch } from '../../../src/referrals/task-updates/index.js';
import { REFERRAL_STATUS_SYSTEM } from '../../../src/referrals/task-workflow.js';

const refused = (code: string, expression?: string) => (error: unknown) => {
  const gateway = error as { code?: string; expression?: readonly string[] };
  assert.equal(gateway.code, code);
  if (expression !== undefined) assert.deepEqual(gateway.expression, [expression]);
  return true;
};

describe('reading a Task patch', () => {
  it('reads a status with its reason, notes and outputs', () => {
    const change = readTaskPatch([
      { op: 'replace', path: '/status', value: 'rejected' },
      {
        op: 'replace',
        path: '/businessStatus',
        value: { coding: [{ system: REFERRAL_STATUS_SYSTEM, code: 'rejected' }] },
      },
      { op: 'add', path: '/statusReason', value: { text: 'No capacity.' } },
      { op: 'add', path: '/note/-', value: { text: 'Try Casa Luz.', authorString: 'ignored' } },
      { op: 'add', path: '/output', value: [{ type: { text: 'referral' }, valueString: 'x' }] },
    ]);
    assert.deepEqual(change, {
      status: 'rejected',
      statusReason: { text: 'No capacity.' },
      notes: [{ text: 'Try Casa Luz.' }],
      outputs: [{ type: { text: 'referral' }, valueString: 'x' }],
    });
  });

  it('refuses a change to anything outside the loop', () => {
    for (const operation of [
      { op: 'replace', path: '/owner', value: {} },
      { op: 'remove', path: '/note/0' },
      { op: 'replace', path: '/note', value: [] },
      { op: 'test', path: '/status', value: 'requested' },
    ]) {
      assert.throws(
        () => readTaskPatch([{ op: 'replace', path: '/status', value: 'accepted' }, operation]),
        refused('ENLACE_TASK_PATCH_UNSUPPORTED', 'Patch[1]'),
      );
    }
  });

  it('refuses a patch without a status, with disagreeing statuses or malformed values', () => {
    assert.throws(() => readTaskPatch([]), refused('ENLACE_TASK_PATCH_INVALID'));
    assert.throws(
      () => readTaskPatch([{ op: 'add', path: '/note/-', value: { text: 'hello' } }]),
      refused('ENLACE_TASK_PATCH_INVALID', 'Patch'),
    );
    assert.throws(
      () =>
        readTaskPatch([
          { op: 'replace', path: '/status', value: 'accepted' },
          {
            op: 'replace',
            path: '/businessStatus',
            value: { coding: [{ system: REFERRAL_STATUS_SYSTEM, code: 'rejected' }] },
          },
        ]),
      refused('ENLACE_TASK_PATCH_INVALID'),
    );
    assert.throws(
      () =>
        readTaskPatch([
          { op: 'replace', path: '/status', value: 'completed' },
          {
            op: 'add',
            path: '/output/-',
            value: { type: { text: 't' }, valueString: 'a', valueBoolean: true },
          },
        ]),
      refused('ENLACE_TASK_PATCH_INVALID', 'Patch[1].value'),
    );
    assert.throws(
      () =>
        readTaskPatch([
          { op: 'replace', path: '/status', value: 'rejected' },
          { op: 'add', path: '/statusReason', value: { text: 'x'.repeat(2001) } },
        ]),
      refused('ENLACE_TASK_PATCH_INVALID', 'Patch[1].value.text'),
    );
  });
});

describe('reading Task search parameters', () => {
  it('reads filters, a _lastUpdated range, the sort and a capped count', () => {
    const search = readTaskSearch(
      new URLSearchParams(
        'owner=Organization/casa-refugio&status=requested,received&_lastUpdated=ge2025-03-01&_lastUpdated=lt2025-03-02T00:00:00Z&_sort=_lastUpdated&_count=500',
      ),
    );
    assert.deepEqual(search, {
      owner: 'casa-refugio',
      statuses: ['requested', 'received'],
      lastUpdated: [
        { comparator: 'ge', instant: '2025-03-01T00:00:00.000Z' },
        { comparator: 'lt', instant: '2025-03-02T00:00:00.000Z' },
      ],
      order: 'asc',
      count: 100,
    });
  });

  it('refuses unknown statuses, prefixes, sorts and repeated filters', () => {
    for (const query of [
      'status=done',
      '_lastUpdated=eq2025-03-01',
      '_lastUpdated=ge2025-03-01&_lastUpdated=le2025-03-02&_lastUpdated=lt2025-03-03',
      '_sort=status',
      'owner=a&owner=b',
      'business-status=http://other|accepted',
      'requester=Organization/a b',
    ]) {
      assert.throws(
        () => readTaskSearch(new URLSearchParams(query)),
        refused('ENLACE_INVALID_PARAMETER'),
      );
    }
  });
});
