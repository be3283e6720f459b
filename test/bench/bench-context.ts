// What every phase of one engine's benchmark shares: the options, the figures, the network, the running gateway.
import { join } from 'node:path';
import type { BenchOptions, Engine } from './bench-options.js';
import type { FigureBook } from './bench-report.js';
import type { StageBreakdown } from './cpu-profile.js';
import {
  accessToken,
  SCOPES,
  signerFor,
  type BenchNetwork,
  type GatewayDirectory,
} from './bench-network.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import type { MessageSigner } from './referral-messages.js';

export interface EngineRun {
  readonly engine: Engine;
  readonly options: BenchOptions;
  readonly book: FigureBook;
  /** The run's folder: data directory, logs, profiles, exports. */
  readonly dir: string;
  /** ENLACE_* variables of this engine's gateway (data directory, database URL). */
  readonly env: Readonly<Record<string, string>>;
  readonly network: BenchNetwork;
  readonly survivors: readonly string[];
  /** Set once the first gateway is up. */
  directory?: GatewayDirectory | undefined;
  gateway?: GatewayProcess | undefined;
  /** Tasks created by timed and untimed submissions, for the retrievals. */
  readonly taskIds: string[];
  /** Peak resident set of every gateway process this run started, by what it did. */
  readonly peakRss: Map<string, number>;
  /** A fresh PostgreSQL database for the ceiling's commits, on that engine. */
  readonly ceilingDatabaseUrl: string | undefined;
  /** The stage breakdowns of the profiled runs, with their hottest functions. */
  readonly profiles: (StageBreakdown & {
    readonly engine: Engine;
    readonly recipe: string;
    readonly file: string;
  })[];
  readonly warnings: string[];
}

export const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

export function gatewayOf(run: EngineRun): GatewayProcess {
  if (run.gateway === undefined) throw new Error('no gateway is running');
  return run.gateway;
}

export function directoryOf(run: EngineRun): GatewayDirectory {
  if (run.directory === undefined) throw new Error('the gateway directory was not read');
  return run.directory;
}

export function signerOf(run: EngineRun): MessageSigner {
  return signerFor(run.network.police, directoryOf(run));
}

/** A fresh token (they live five minutes) for the partner's usual scopes. */
export function tokenFor(run: EngineRun, who: keyof typeof SCOPES): Promise<string> {
  return accessToken(gatewayOf(run).base, directoryOf(run), run.network[who], SCOPES[who]);
}

/** Starts a gateway on this run's database, in the production profile. */
export async function startGateway(
  run: EngineRun,
  nodeOptions: readonly string[] = [],
): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess({
    env: run.env,
    gateway: run.options.gateway,
    logFile: join(run.dir, 'gateway.log'),
    nodeOptions,
  });
  run.gateway = gateway;
  return gateway;
}

/** Stops the running gateway, keeping its peak resident set under `role`. */
export async function stopGateway(run: EngineRun, role: string): Promise<void> {
  const gateway = gatewayOf(run);
  const { peakRssBytes } = await gateway.memory();
  run.peakRss.set(role, Math.max(run.peakRss.get(role) ?? 0, peakRssBytes));
  const code = await gateway.stop();
  run.gateway = undefined;
  if (code !== 0) run.warnings.push(`the gateway (${role}) exited with code ${String(code)}`);
}

/**
 * Waits until the gateway is idle (under 5% of a core for a second): after a start at size it
 * re-hashes the whole audit log in the background, which would otherwise run under the searches.
 */
export async function settle(run: EngineRun, maxSeconds = 900): Promise<void> {
  const gateway = gatewayOf(run);
  let before = await gateway.cpuSeconds();
  for (let waited = 0; waited < maxSeconds; waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = await gateway.cpuSeconds();
    if (now - before < 0.05) return;
    before = now;
  }
  run.warnings.push(`the gateway was still busy ${maxSeconds} s after its start at size`);
}

export const MiB = 1024 * 1024;

/** `Task/<uuid>` the acknowledgement's MessageHeader focuses on, without parsing the whole answer. */
export function taskIdIn(acknowledgement: string): string | undefined {
  return /"reference":"Task\/([0-9a-f-]{36})"/.exec(acknowledgement)?.[1];
}
