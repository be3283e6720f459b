// One gateway process under test: spawned in the production profile, timed to readiness, read from /proc, stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** A gateway that is not ready after this long (a large log is scanned in the background) failed. */
const READY_TIMEOUT_MS = 180_000;

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Clock ticks per second of /proc/<pid>/stat times (100 on nearly every Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcessMemory {
  /** Resident set now (VmRSS). */
  readonly rssBytes: number;
  /** Highest resident set since the process started (VmHWM). */
  readonly peakRssBytes: number;
}

/**
 * User plus system CPU time so far, in seconds: of every thread of the process, or of one thread
 * (`thread` = the pid is the main thread, the one that runs JavaScript).
 */
export async function cpuSecondsOf(pid: number, thread?: number): Promise<number> {
  const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const stat = await readFile(path, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The process and its descendants (a cluster primary's workers), from /proc/<pid>/task/<tid>/children. */
export async function processTreeOf(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let at = 0; at < tree.length; at += 1) {
    const parent = tree[at] ?? pid;
    const children = await readFile(`/proc/${parent}/task/${parent}/children`, 'utf8').catch(
      () => '',
    );
    tree.push(...children.split(' ').filter(Boolean).map(Number));
  }
  return tree;
}

/** CPU of the whole tree; with ENLACE_WORKERS > 1 the workers do the serving. */
async function treeCpuSecondsOf(pid: number, mainThreads: boolean): Promise<number> {
  const seconds = await Promise.all(
    (await processTreeOf(pid)).map((member) =>
      cpuSecondsOf(member, mainThreads ? member : undefined).catch(() => 0),
    ),
  );
  return seconds.reduce((sum, value) => sum + value, 0);
}

/** The largest of the tree's processes (per process, as the memory target is per worker). */
async function treeMemoryOf(pid: number): Promise<ProcessMemory> {
  const members = await Promise.all(
    (await processTreeOf(pid)).map((member) => memoryOf(member).catch(() => undefined)),
  );
  const known = members.filter((member) => member !== undefined);
  return {
    rssBytes: Math.max(...known.map((member) => member.rssBytes)),
    peakRssBytes: Math.max(...known.map((member) => member.peakRssBytes)),
  };
}

export async function memoryOf(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface GatewayLaunch {
  /** ENLACE_* variables of this gateway (data directory, database); the profile is added here. */
  readonly env: Readonly<Record<string, string>>;
  readonly gateway: 'dist' | 'source';
  /** Standard output and error go to this file, as a production log would. */
  readonly logFile: string;
  /** Extra node options, e.g. `--cpu-prof`. */
  readonly nodeOptions?: readonly string[];
}

export interface GatewayProcess {
  readonly pid: number;
  readonly base: string;
  /** Spawn to the first 200 from /readyz. */
  readonly startupMs: number;
  /** Whether `bin/start.js` compiled dist/ first (src/ changed since the build): then startupMs includes it. */
  readonly rebuilt: boolean;
  cpuSeconds(): Promise<number>;
  /** CPU of the JavaScript thread alone (the rest is the crypto thread pool, GC helpers, I/O). */
  mainThreadCpuSeconds(): Promise<number>;
  memory(): Promise<ProcessMemory>;
  /** SIGTERM, then waits for the exit (the graceful shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The production profile: as an operator runs the gateway, with the logs it writes. */
export function productionEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith('ENLACE_') && entry[0] !== 'NODE_OPTIONS',
    ),
  );
  return {
    ...inherited,
    NODE_ENV: 'production',
    ENLACE_PROFILE: 'production',
    // The benchmark's few clients send far past any partner's budget: it measures the gateway's
    // capacity, not its rate limits (test/bench/rate-limit.bench.ts measures those).
    ENLACE_RATE_LIMIT_CLIENT_PER_MINUTE: '0',
    ENLACE_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
    ENLACE_RATE_LIMIT_TOKEN_PER_MINUTE: '0',
    ...env,
  };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => {
        child.once('exit', (code) => {
          resolve(code);
        });
      });

export async function startGatewayProcess(launch: GatewayLaunch): Promise<GatewayProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const entry =
    launch.gateway === 'dist'
      ? ['--enable-source-maps', join(ROOT, 'bin/start.js')]
      : ['--import', 'tsx', join(ROOT, 'src/main.ts')];
  const logStart = await stat(launch.logFile).then(
    (info) => info.size,
    () => 0,
  );
  const log = openSync(launch.logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...(launch.nodeOptions ?? []), ...entry], {
    cwd: ROOT,
    env: productionEnv({
      ENLACE_HOST: '127.0.0.1',
      ENLACE_PORT: String(port),
      // Passed through so one run can compare worker counts; unset, the production default applies.
      ...(process.env.ENLACE_WORKERS === undefined
        ? {}
        : { ENLACE_WORKERS: process.env.ENLACE_WORKERS }),
      ...launch.env,
    }),
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway process did not start');
  const exit = exited(child);
  let startupMs: number | undefined;
  while (startupMs === undefined) {
    if (
      child.exitCode !== null ||
      child.signalCode !== null ||
      performance.now() - started > READY_TIMEOUT_MS
    ) {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exit;
      const tail = (await readFile(launch.logFile, 'utf8')).split('\n').slice(-15).join('\n');
      throw new Error(`the gateway did not become ready; the end of its log:\n${tail}`);
    }
    const ready = await fetch(`${base}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) startupMs = performance.now() - started;
    else await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const written = (await readFile(launch.logFile)).subarray(logStart).toString('utf8');
  return {
    pid,
    base,
    startupMs,
    rebuilt: written.includes('enlace: building dist/'),
    cpuSeconds: () => treeCpuSecondsOf(pid, false),
    mainThreadCpuSeconds: () => treeCpuSecondsOf(pid, true),
    memory: () => treeMemoryOf(pid),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
