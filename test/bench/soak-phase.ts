// The memory soak: submissions at 16 connections for --soak-minutes, every gateway process's resident set sampled as it runs.
import { performance } from 'node:perf_hooks';
import {
  MiB,
  gatewayOf,
  progress,
  startGateway,
  stopGateway,
  type EngineRun,
} from './bench-context.js';
import { memoryOf, processTreeOf } from './gateway-process.js';
import { median } from './stats.js';
import { messagesFor, recipesOf, submit, warmUp } from './submission-phase.js';

/** Referrals per batch: about five seconds of submissions, so the resident set is sampled that often. */
const BATCH = 500;
const CONNECTIONS = 16;

interface RssSample {
  /** Seconds since the soak started. */
  readonly at: number;
  readonly pid: number;
  readonly rssBytes: number;
}

export interface SoakGrowth {
  /** The largest growth of one process, in percent of its resident set early in the soak. */
  readonly percent: number;
  readonly pid: number;
  readonly earlyBytes: number;
  readonly lateBytes: number;
}

/**
 * Growth of each process from early in the soak (the median of its samples between 10% and 30%
 * of the duration, once the JIT and the caches have warmed) to the end (the median of the last
 * 20%); the largest growth of any process is the figure, as the target is per worker.
 */
export function growthOf(samples: readonly RssSample[], seconds: number): SoakGrowth | undefined {
  let worst: SoakGrowth | undefined;
  for (const pid of new Set(samples.map((sample) => sample.pid))) {
    const own = samples.filter((sample) => sample.pid === pid);
    const within = (from: number, to: number) =>
      own.filter((s) => s.at >= from * seconds && s.at <= to * seconds).map((s) => s.rssBytes);
    const [early, late] = [within(0.1, 0.3), within(0.8, 1)];
    if (early.length === 0 || late.length === 0) continue;
    const [earlyBytes, lateBytes] = [median(early), median(late)];
    const percent = ((lateBytes - earlyBytes) / earlyBytes) * 100;
    if (worst === undefined || percent > worst.percent) {
      worst = { percent, pid, earlyBytes, lateBytes };
    }
  }
  return worst;
}

export async function soakRun(run: EngineRun): Promise<void> {
  const [recipe] = recipesOf(run);
  const minutes = run.options.soakMinutes;
  if (recipe === undefined) return;
  await startGateway(run);
  await warmUp(run, 100);
  const gateway = gatewayOf(run);
  progress(
    `${run.engine}: memory soak, ${minutes} min of submissions at ${CONNECTIONS} connections`,
  );
  const samples: RssSample[] = [];
  const seconds = minutes * 60;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let [submitted, errors] = [0, 0];
  // The next batch is signed and encrypted while this one is submitted.
  let next = messagesFor(run, BATCH, recipe);
  while (elapsed() < seconds) {
    const batch = await next;
    next = messagesFor(run, BATCH, recipe);
    const result = await submit(run, batch, CONNECTIONS);
    submitted += result.requests;
    errors += result.errors;
    if (result.errors > 0) run.warnings.push(`soak: ${result.errorSamples.join(' | ')}`);
    const at = elapsed();
    for (const pid of await processTreeOf(gateway.pid)) {
      const memory = await memoryOf(pid).catch(() => undefined);
      if (memory !== undefined) samples.push({ at, pid, rssBytes: memory.rssBytes });
    }
  }
  await next;
  const duration = elapsed();
  await stopGateway(run, 'soak');
  const label = `${minutes} min at ${CONNECTIONS} connections`;
  const key = `${run.engine}.memory.soak`;
  run.book.add(
    `${key}.throughput`,
    {
      section: 'memory',
      label: `soak: submissions, ${label}`,
      engine: run.engine,
      unit: 'ref/s',
      better: 'higher',
    },
    submitted / duration,
    {},
    `${submitted} referrals, errors ${errors}`,
  );
  const growth = growthOf(samples, duration);
  if (growth === undefined) {
    run.warnings.push('soak: too few resident-set samples to tell growth');
    return;
  }
  run.book.add(
    `${key}.growth`,
    {
      section: 'memory',
      label: `soak: resident set growth of one process, ${label}`,
      engine: run.engine,
      unit: '%',
      better: 'lower',
    },
    growth.percent,
    {},
    `${(growth.earlyBytes / MiB).toFixed(0)} MiB early, ${(growth.lateBytes / MiB).toFixed(0)} MiB at the end`,
  );
  run.book.add(
    `${key}.peak`,
    {
      section: 'memory',
      label: `soak: peak resident set of one process (VmHWM), ${label}`,
      engine: run.engine,
      unit: 'MiB',
      better: 'lower',
    },
    (run.peakRss.get('soak') ?? NaN) / MiB,
  );
}
