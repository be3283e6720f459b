// At size: the database filled through the gateway's write path, then an auditor's export and its offline verification.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { SHELTER } from './bench-network.js';
import { gatewayOf, MiB, progress, signerOf, tokenFor, type EngineRun } from './bench-context.js';
import { memoryOf, ROOT } from './gateway-process.js';
import { seedAtSize } from './seed-rows.js';

/** Fills the stopped gateway's database to --rows referrals and --audit-rows audit entries. */
export async function seedPhase(run: EngineRun): Promise<void> {
  const { options, engine, network } = run;
  progress(`${engine}: seeding ${options.rows} referrals, ${options.auditRows} audit entries`);
  const report = await seedAtSize({
    env: run.env,
    referrals: options.rows,
    auditEntries: options.auditRows,
    signer: signerOf(run),
    sender: { id: network.police.id, clientId: network.police.clientId },
    recipient: SHELTER,
    survivors: run.survivors,
    onProgress: progress,
  });
  const section = 'database';
  run.book.add(
    `${engine}.seed.rate`,
    {
      section,
      label: 'seeding through the handler (batched)',
      engine,
      unit: 'ref/s',
      better: 'higher',
    },
    report.referrals / report.seconds,
    {},
    `${report.referrals} referrals + ${report.ledgerEntries} ledger entries in ${report.seconds.toFixed(0)} s`,
  );
  const bytes = await databaseBytes(run);
  if (bytes !== undefined) {
    run.book.add(
      `${engine}.db.bytesPerReferral`,
      { section, label: 'database size per stored referral', engine, unit: 'KB', better: 'lower' },
      bytes / 1000 / Math.max(1, options.rows + run.taskIds.length),
      {},
      `${(bytes / MiB).toFixed(0)} MiB in all`,
    );
  }
}

async function databaseBytes(run: EngineRun): Promise<number | undefined> {
  const url = run.env['ENLACE_DATABASE_URL'];
  if (url === undefined) {
    const dataDir = run.env['ENLACE_DATA_DIR'] ?? '';
    let total = 0;
    for (const name of await readdir(dataDir)) {
      if (name.startsWith('enlace.db')) total += (await stat(join(dataDir, name))).size;
    }
    return total;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ size: string }>(
      'SELECT pg_database_size(current_database())::text AS size',
    );
    return Number(result.rows[0]?.size);
  } finally {
    await client.end();
  }
}

/** Polls the export job until it is complete; returns its manifest's file links. */
async function awaitExport(run: EngineRun, location: string): Promise<string[]> {
  let token = await tokenFor(run, 'oversight');
  let tokenAt = performance.now();
  for (;;) {
    if (performance.now() - tokenAt > 60_000) {
      token = await tokenFor(run, 'oversight');
      tokenAt = performance.now();
    }
    const res = await fetch(location, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) {
      const body = (await res.json()) as { link?: { url: string }[] };
      return (body.link ?? []).map((link) => link.url);
    }
    if (res.status !== 202)
      throw new Error(`the export failed (${res.status}): ${await res.text()}`);
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Saves one file of the export; false for a file this kind of export does not have (404). */
async function download(url: string, token: string, file: string): Promise<boolean> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 404) {
    await res.arrayBuffer();
    return false;
  }
  if (res.status !== 200 || res.body === null) throw new Error(`${url}: ${res.status}`);
  await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
  return true;
}

/** `enlace audit verify` as an auditor runs it, on its own: seconds, and the peak resident set. */
async function verifyOffline(
  run: EngineRun,
  dir: string,
  logKey: string,
): Promise<{ seconds: number; peakRssBytes: number; ok: boolean }> {
  const command =
    run.options.gateway === 'dist'
      ? [join(ROOT, 'bin/enlace.js')]
      : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...command, 'audit', 'verify', dir, '--log-key', logKey, '--json'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  let peakRssBytes = 0;
  const sampler = setInterval(() => {
    if (child.pid === undefined) return;
    memoryOf(child.pid).then(
      (memory) => (peakRssBytes = Math.max(peakRssBytes, memory.peakRssBytes || 0)),
      () => undefined,
    );
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const ok = code === 0 && (JSON.parse(out) as { ok?: boolean }).ok === true;
  return { seconds, peakRssBytes, ok };
}

/**
 * An oversight body's export of the whole log (kick-off, polling, download of every file), then
 * --runs offline verifications of it; the export itself is timed once.
 */
export async function exportPhase(run: EngineRun, size: number, stored: string): Promise<void> {
  const { engine, book } = run;
  const gateway = gatewayOf(run);
  const section = `audit export, ${stored}`;
  progress(`${engine}: exporting the audit log (${size} entries)`);
  const started = performance.now();
  const token = await tokenFor(run, 'oversight');
  const kickOff = await fetch(`${gateway.base}/fhir/AuditEvent/$export`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, prefer: 'respond-async' },
  });
  const location = kickOff.headers.get('content-location');
  if (kickOff.status !== 202 || location === null) {
    throw new Error(`the export was refused (${kickOff.status}): ${await kickOff.text()}`);
  }
  const links = await awaitExport(run, location);
  const exportSeconds = (performance.now() - started) / 1000;
  const dir = join(run.dir, 'export');
  await mkdir(dir, { recursive: true });
  const downloadToken = await tokenFor(run, 'oversight');
  for (const url of links)
    await download(url, downloadToken, join(dir, url.split('/').at(-1) ?? ''));
  const logKey = join(run.dir, 'log.vkey');
  await writeFile(logKey, await (await fetch(`${gateway.base}/audit/log-key`)).text());
  const downloadSeconds = (performance.now() - started) / 1000 - exportSeconds;
  book.add(
    `${engine}.export.write`,
    { section, label: 'export written by the gateway', engine, unit: 's', better: 'lower' },
    exportSeconds,
    { 'download s': downloadSeconds },
  );
  for (let round = 1; round <= run.options.runs; round += 1) {
    progress(`${engine} round ${round}: verifying the export offline`);
    const verified = await verifyOffline(run, dir, logKey);
    if (!verified.ok) run.warnings.push(`${engine}: the export did not verify`);
    book.add(
      `${engine}.export.verify`,
      {
        section,
        label: `enlace audit verify (offline), ${size} entries`,
        engine,
        unit: 's',
        better: 'lower',
      },
      verified.seconds,
      { 'peak RSS MiB': verified.peakRssBytes / MiB },
      verified.ok ? undefined : 'NOT VERIFIED',
    );
  }
}
