// The gateway benchmark (npm run bench): gateway processes in the production profile against the physical ceiling.
//
// Per engine (SQLite always; PostgreSQL too when ENLACE_BENCH_DATABASE_URL is set), on a fresh
// database: the operator's `enlace` commands set up a network, the gateway starts (timed to
// readiness), consents are recorded, and then, with every message signed and encrypted before its
// run is timed: searches on the nearly empty database; interleaved rounds of submissions at each
// concurrency and of the ceiling; retrievals; one profiled submission run; then the database is
// filled to --rows through the gateway's own write path and the searches, proofs, an audit export
// and its offline verification are measured at that size. One table is printed, the figures are
// written as JSON, and an earlier JSON can be compared (regressions beyond 10% are flagged).
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { format as prettierFormat } from 'prettier';
import { createPostgresDatabase, type TestDatabase } from '../support/test-database.js';
import { readBenchOptions, USAGE, type BenchOptions, type Engine } from './bench-options.js';
import {
  compareWith,
  FigureBook,
  formatComparison,
  formatTable,
  type Figure,
} from './bench-report.js';
import {
  MiB,
  progress,
  settle,
  startGateway,
  stopGateway,
  tokenFor,
  type EngineRun,
} from './bench-context.js';
import {
  readGatewayDirectory,
  recordConsents,
  registerNetwork,
  survivorIds,
} from './bench-network.js';
import { ROOT } from './gateway-process.js';
import { checkpointSize, proofRuns, retrievalRuns, searchRuns } from './read-phase.js';
import { exportPhase, seedPhase } from './size-phase.js';
import { soakRun } from './soak-phase.js';
import { profileRun, submissionRounds, warmUp } from './submission-phase.js';

export const BASELINE_FILE = join(ROOT, 'test/bench/baseline.json');

/** Sections in the order the table shows them (by prefix); figures keep their order within one. */
const SECTION_ORDER = [
  'start-up',
  'submissions',
  'ceiling',
  'gateway ÷ ceiling',
  'CPU per referral ÷ ceiling',
  'retrieval',
  'search',
  'database',
  'proofs',
  'audit export',
  'memory',
  'CPU profile',
];

const rankOf = (figure: Figure): number => {
  const rank = SECTION_ORDER.findIndex((prefix) => figure.section.startsWith(prefix));
  return rank < 0 ? SECTION_ORDER.length : rank;
};

function sortFigures(figures: readonly Figure[]): Figure[] {
  return figures
    .map((figure, index) => ({ figure, index }))
    .sort((a, b) => rankOf(a.figure) - rankOf(b.figure) || a.index - b.index)
    .map(({ figure }) => figure);
}

async function startTimed(run: EngineRun, label: string, key: string): Promise<void> {
  const gateway = await startGateway(run);
  const rebuilt = 'includes compiling dist/: src/ changed during the run';
  if (gateway.rebuilt) run.warnings.push(`${run.engine} ${label}: ${rebuilt}`);
  run.book.add(
    `${run.engine}.startup.${key}`,
    { section: 'start-up', label, engine: run.engine, unit: 'ms', better: 'lower' },
    gateway.startupMs,
    {},
    gateway.rebuilt ? rebuilt : undefined,
  );
}

function memoryFigure(run: EngineRun, key: string, label: string, bytes: number): void {
  run.book.add(
    `${run.engine}.memory.${key}`,
    { section: 'memory', label, engine: run.engine, unit: 'MiB', better: 'lower' },
    bytes / MiB,
  );
}

/** Starts, measures start-up --runs times (the first start also creates keys and the schema). */
async function firstStarts(run: EngineRun): Promise<void> {
  await startTimed(run, 'first start (keys, schema), spawn to readyz 200', 'first');
  const again = run.options.phases.has('startup') ? run.options.runs : 0;
  for (let i = 0; i < again; i += 1) {
    await stopGateway(run, 'start-up');
    await startTimed(run, 'start, empty database, spawn to readyz 200', 'empty');
  }
}

interface EngineOutcome {
  readonly warnings: readonly string[];
  readonly profiles: EngineRun['profiles'];
}

async function benchEngine(
  engine: Engine,
  options: BenchOptions,
  book: FigureBook,
): Promise<EngineOutcome> {
  const dir = await mkdtemp(join(tmpdir(), `enlace-bench-${engine}-`));
  const databases: TestDatabase[] = [];
  const postgres = async (prefix: string): Promise<TestDatabase | undefined> => {
    if (engine !== 'postgres' || options.postgresUrl === undefined) return undefined;
    const database = await createPostgresDatabase(options.postgresUrl, prefix);
    databases.push(database);
    return database;
  };
  const database = await postgres('enlace_bench');
  const ceilingDatabase = await postgres('enlace_ceiling');
  const env = { ENLACE_DATA_DIR: join(dir, 'data'), ...(database?.env ?? {}) };
  let run: EngineRun | undefined;
  try {
    progress(`${engine}: setting up the network in ${dir}`);
    const network = await registerNetwork(
      { ...env, ENLACE_PROFILE: 'production', ENLACE_LOG_LEVEL: 'warn' },
      dir,
    );
    run = {
      engine,
      options,
      book,
      dir,
      env,
      network,
      survivors: survivorIds(options.survivors),
      taskIds: [],
      peakRss: new Map(),
      ceilingDatabaseUrl: ceilingDatabase?.url,
      profiles: [],
      warnings: [],
    };
    const { phases } = options;
    await firstStarts(run);
    const gateway = run.gateway;
    if (gateway === undefined) throw new Error('the gateway did not start');
    run.directory = await readGatewayDirectory(gateway.base);
    await recordConsents(gateway.base, await tokenFor(run, 'police'), run.survivors);
    memoryFigure(
      run,
      'idle',
      'gateway resident set, idle after start',
      (await gateway.memory()).rssBytes,
    );
    await warmUp(run, options.quick ? 24 : 100);
    if (phases.has('search')) await searchRuns(run, 'small', `${run.taskIds.length} referrals`);
    if (phases.has('submissions') || phases.has('ceiling')) await submissionRounds(run);
    if (phases.has('retrieval')) await retrievalRuns(run);
    await stopGateway(run, 'load');
    memoryFigure(
      run,
      'peak.load',
      'gateway peak resident set (VmHWM), under load',
      run.peakRss.get('load') ?? NaN,
    );
    if (phases.has('profile')) await profileRun(run);

    if (phases.has('search') || phases.has('proofs') || phases.has('export')) {
      await seedPhase(run);
      const stored = `${options.rows} referrals`;
      for (let i = 0; i < (phases.has('startup') ? options.runs : 1); i += 1) {
        if (i > 0) await stopGateway(run, 'at size');
        await startTimed(run, `start, ${stored}, spawn to readyz 200`, 'size');
      }
      progress(`${engine}: waiting for the gateway's scan of the audit log to end`);
      await settle(run);
      if (phases.has('search')) await searchRuns(run, 'size', stored);
      const size = run.gateway === undefined ? undefined : await checkpointSize(run.gateway.base);
      if (size === undefined) run.warnings.push('no signed checkpoint at size');
      else {
        if (phases.has('proofs')) await proofRuns(run, size, `${size} audit entries`);
        if (phases.has('export')) await exportPhase(run, size, `${size} audit entries`);
      }
      await stopGateway(run, 'at size');
      memoryFigure(
        run,
        'peak.size',
        `gateway peak resident set (VmHWM), ${stored}`,
        run.peakRss.get('at size') ?? NaN,
      );
    }
    if (phases.has('soak')) await soakRun(run);
    return { warnings: run.warnings, profiles: run.profiles };
  } finally {
    if (run?.gateway !== undefined) await run.gateway.stop();
    for (const database of databases) await database.drop();
    if (options.keep) progress(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function build(): void {
  progress('compiling dist/ (tsc -p tsconfig.build.json)');
  const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0)
    throw new Error('the build failed; fix it, or run with --gateway source');
}

/** The settings that decide whether two runs' figures can be compared (no database URL: it may hold a password). */
const settingsOf = (options: BenchOptions) => ({
  quick: options.quick,
  phases: [...options.phases],
  rows: options.rows,
  auditRows: options.auditRows,
  runs: options.runs,
  referrals: options.referrals,
  connections: options.connections,
  curves: options.curves,
  sizes: options.sizes,
  survivors: options.survivors,
  samples: options.samples,
  engines: options.engines,
  gateway: options.gateway,
});

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Formatted as Prettier would, so a committed baseline passes `npm run lint`.
  await writeFile(file, await prettierFormat(JSON.stringify(value), { parser: 'json' }));
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = readBenchOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(
      `bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = new Date();
  const loadBefore = loadavg();
  if (options.gateway === 'dist' && options.build) build();
  const book = new FigureBook();
  const warnings: string[] = [];
  const profiles: EngineRun['profiles'] = [];
  for (const engine of options.engines) {
    const outcome = await benchEngine(engine, options, book);
    warnings.push(...outcome.warnings);
    profiles.push(...outcome.profiles);
  }
  const figures = sortFigures(book.list());
  const cpu = cpus();
  const meta = {
    date: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    node: process.version,
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memoryMiB: Math.round(totalmem() / MiB),
    loadBefore,
    loadAfter: loadavg(),
  };
  process.stdout.write(
    `\nEnlace benchmark, ${meta.date}, commit ${meta.commit.slice(0, 12)}${meta.dirty ? ' (with uncommitted changes)' : ''}, ${meta.cpu}, node ${meta.node}, load ${loadBefore.map((l) => l.toFixed(1)).join(' ')}\n\n`,
  );
  process.stdout.write(`${formatTable(figures, options.runs)}\n`);
  for (const profile of profiles) {
    const hottest = profile.hottest
      .slice(0, 8)
      .map((hot) => `${hot.frame} ${hot.percent}%`)
      .join(', ');
    process.stdout.write(
      `\nhottest functions (${profile.engine}, ${profile.recipe}): ${hottest}\n`,
    );
  }
  for (const warning of warnings) process.stdout.write(`WARNING ${warning}\n`);
  const result = { settings: settingsOf(options), meta, figures, profiles, warnings };
  const out = options.out ?? join(ROOT, 'bench-results', `${meta.date.replace(/[:.]/g, '-')}.json`);
  await writeJson(out, result);
  process.stdout.write(`\nwritten to ${out}\n`);
  if (options.saveBaseline) {
    await writeJson(BASELINE_FILE, result);
    process.stdout.write(`written to ${BASELINE_FILE}\n`);
  }
  if (options.compare !== undefined) {
    const comparison = await compareWith(options.compare, figures, settingsOf(options));
    process.stdout.write(`${formatComparison(options.compare, comparison)}\n`);
  }
  return warnings.length === 0 ? 0 : 1;
}

process.exitCode = await main();
