// Benchmark of the audit ledger: append cost as the log grows, and proof cost at size (not part of npm test).
// Run: npx tsx test/bench/ledger.bench.ts [entries, default 1000000] [--database-url postgres://…]
// The gateway benchmark (gateway.bench.ts) fills the log and times proofs in-process with the parts exported here.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { auditSubtype, auditType, buildAuditEvent } from '../../src/audit/index.js';
import { nodeReader, readLogHead } from '../../src/audit/ledger/index.js';
import { consistencyProof, inclusionProof, rootAt } from '../../src/audit/merkle/index.js';
import { openStore, type Store } from '../../src/store/index.js';

const BATCH = 1000;

/** One BALP-shaped read event, as the gateway appends for a partner's read. */
export const ledgerEvent = () =>
  buildAuditEvent({
    type: auditType.rest,
    subtype: auditSubtype.read,
    action: 'R',
    outcome: '0',
    recorded: new Date(),
    agents: [{ reference: `Organization/partner-${Math.floor(Math.random() * 50)}` }],
    entities: [{ reference: `Task/${randomUUID()}` }],
    requestId: randomUUID(),
  });

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Appends ledger events in transactions of BATCH until the log holds `entries`; returns how many were added. */
export async function fillLedger(
  store: Store,
  entries: number,
  onProgress: (size: number) => void = () => undefined,
): Promise<number> {
  const start = (await readLogHead(store.db)).size;
  let size = start;
  while (size < entries) {
    const batch = Math.min(BATCH, entries - size);
    await store.transaction(async (unit) => {
      for (let i = 0; i < batch; i += 1) await unit.audit.append(ledgerEvent());
    });
    size += batch;
    if (size % 100_000 < BATCH) onProgress(size);
  }
  return size - start;
}

/** Single appends, each its own durable transaction: what one request pays. */
async function measureAppends(store: Store, count: number): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await store.audit.append(ledgerEvent());
    times.push(performance.now() - started);
  }
  return `p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`;
}

/** Inclusion and consistency proofs and roots at random positions, computed in this process (no HTTP). */
export async function measureProofs(store: Store, size: number): Promise<Record<string, string>> {
  const read = nodeReader(store.db);
  const samples = 200;
  const timed = async (work: () => Promise<unknown>): Promise<string> => {
    const times: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      const started = performance.now();
      await work();
      times.push(performance.now() - started);
    }
    return `p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`;
  };
  const random = (below: number) => Math.floor(Math.random() * below);
  return {
    inclusion: await timed(() => inclusionProof(random(size), size, read)),
    consistency: await timed(() => consistencyProof(1 + random(size - 1), size, read)),
    root: await timed(() => rootAt(1 + random(size), read)),
  };
}

async function main(): Promise<void> {
  const entries = Number(process.argv[2] ?? 1_000_000);
  const urlAt = process.argv.indexOf('--database-url');
  const databaseUrl = urlAt > 0 ? process.argv[urlAt + 1] : undefined;
  const dataDir = await mkdtemp(join(tmpdir(), 'enlace-ledger-bench-'));
  const store = await openStore({ databaseUrl, dataDir });
  try {
    const report: Record<string, unknown> = { engine: store.dialect, entries };
    await store.audit.append(ledgerEvent());
    report['append at ~1k (single, durable)'] = await (async () => {
      while ((await readLogHead(store.db)).size < 1000) {
        await store.transaction(async (unit) => {
          for (let i = 0; i < 100; i += 1) await unit.audit.append(ledgerEvent());
        });
      }
      return measureAppends(store, 300);
    })();
    const started = performance.now();
    await fillLedger(store, entries, (size) => process.stderr.write(`${size} entries\n`));
    report['fill (batched appends per second)'] = Math.round(
      (entries - 1000) / ((performance.now() - started) / 1000),
    );
    report[`append at ${entries} (single, durable)`] = await measureAppends(store, 300);
    Object.assign(report, await measureProofs(store, (await readLogHead(store.db)).size));
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) await main();
