import assert from 'node:assert/strict';
import { readBenchOptions } from '../../bench/bench-options.js';
import { growthOf } from '../../bench/soak-phase.js';

const MiB = 1024 * 1024;
const samplesOf = (pid: number, rssAt: (second: number) => number) =>
  Array.from({ length: 61 }, (_, second) => ({ at: second * 10, pid, rssBytes: rssAt(second) }));

describe('the memory soak', function () {
  it('measures growth from early in the soak to its end, the worst process being the figure', function () {
    const steady = samplesOf(1, () => 100 * MiB);
    // Warm-up spike in the first 10% is ignored; 110 MiB early, 121 MiB at the end: 10%.
    const growing = samplesOf(2, (s) => (s < 6 ? 300 * MiB : s < 48 ? 110 * MiB : 121 * MiB));
    const growth = growthOf([...steady, ...growing], 600);
    assert.ok(growth !== undefined);
    assert.equal(growth.pid, 2);
    assert.equal(growth.earlyBytes, 110 * MiB);
    assert.equal(growth.lateBytes, 121 * MiB);
    assert.ok(Math.abs(growth.percent - 10) < 1e-9);
  });

  it('reports a shrinking process as negative growth and says nothing without samples', function () {
    const shrinking = samplesOf(3, (s) => (s < 30 ? 200 * MiB : 150 * MiB));
    assert.equal(growthOf(shrinking, 600)?.percent, -25);
    assert.equal(growthOf([], 600), undefined);
  });

  it('lasts ten minutes by default, one with --quick, and takes --soak-minutes', function () {
    assert.equal(readBenchOptions([], {})?.soakMinutes, 10);
    assert.equal(readBenchOptions(['--quick'], {})?.soakMinutes, 1);
    assert.equal(readBenchOptions(['--soak-minutes', '3'], {})?.soakMinutes, 3);
    assert.throws(() => readBenchOptions(['--soak-minutes', '0'], {}), /soak-minutes/);
  });
});
