// Submissions against the gateway and the ceiling in the same rounds, their ratio, and the CPU profile of a run.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHELTER } from './bench-network.js';
import {
  directoryOf,
  gatewayOf,
  progress,
  signerOf,
  startGateway,
  stopGateway,
  taskIdIn,
  tokenFor,
  type EngineRun,
} from './bench-context.js';
import { createCeilingKeys, runCeiling, type CeilingKeys } from './ceiling.js';
import { breakDownProfile } from './cpu-profile.js';
import { runLoad, type LoadResult } from './http-load.js';
import {
  generateMessages,
  recipeLabel,
  type MessageBatch,
  type MessageRecipe,
} from './referral-messages.js';

export const CEILING_CONCURRENCY = [1, 16] as const;

export const recipesOf = (run: EngineRun): MessageRecipe[] =>
  run.options.curves.flatMap((curve) =>
    run.options.sizes.map((payload): MessageRecipe => ({ curve, payload })),
  );

const recipeKey = (recipe: MessageRecipe) => `${recipe.curve}.${recipe.payload}`;

/** The ceiling a gateway run is held against: one at a time for one connection, else 16 in flight. */
const ceilingFor = (connections: number) => (connections === 1 ? 1 : 16);

export function messagesFor(
  run: EngineRun,
  count: number,
  recipe: MessageRecipe,
): Promise<MessageBatch> {
  return generateMessages(count, recipe, {
    signer: signerOf(run),
    recipient: SHELTER,
    survivors: run.survivors,
    gatewayKeys: directoryOf(run).encryptionKeys,
  });
}

/** Submits every message of the batch over `connections` connections; collects the Tasks created. */
export async function submit(
  run: EngineRun,
  batch: MessageBatch,
  connections: number,
): Promise<LoadResult & { readonly cpuMsPerReferral: number }> {
  const gateway = gatewayOf(run);
  const token = await tokenFor(run, 'police');
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/jose',
    accept: 'application/fhir+json',
  };
  const cpuBefore = await gateway.cpuSeconds();
  const result = await runLoad(
    gateway.base,
    batch.messages.length,
    connections,
    (index) => ({
      method: 'POST',
      path: '/fhir/$process-message',
      headers,
      body: batch.messages[index] ?? '',
    }),
    {
      expect: 200,
      onAnswer: (body) => {
        const id = taskIdIn(body);
        if (id !== undefined && run.taskIds.length < 20_000) run.taskIds.push(id);
      },
    },
  );
  const cpuMs = ((await gateway.cpuSeconds()) - cpuBefore) * 1000;
  return { ...result, cpuMsPerReferral: cpuMs / batch.messages.length };
}

/** Untimed submissions: the JIT warms up and the retrievals have Tasks to read. */
export async function warmUp(run: EngineRun, perRecipe: number): Promise<void> {
  for (const recipe of recipesOf(run)) {
    const result = await submit(run, await messagesFor(run, perRecipe, recipe), 16);
    if (result.errors > 0) {
      throw new Error(`the warm-up submissions failed: ${result.errorSamples.join(' | ')}`);
    }
  }
}

interface CeilingRound {
  readonly throughput: number;
  readonly cpuMsPerReferral: number;
}

async function ceilingRun(
  run: EngineRun,
  keys: CeilingKeys,
  recipe: MessageRecipe,
  concurrency: number,
): Promise<CeilingRound> {
  const count = Math.max(run.options.referrals, 2 * concurrency);
  const batch = await generateMessages(count, recipe, {
    signer: signerOf(run),
    recipient: SHELTER,
    survivors: run.survivors,
    gatewayKeys: keys.publicJwks,
  });
  const result = await runCeiling(batch, concurrency, keys, run.engine, run.ceilingDatabaseUrl);
  run.book.add(
    `${run.engine}.ceiling.${recipeKey(recipe)}.c${concurrency}`,
    {
      section: 'ceiling',
      label: `${recipeLabel(recipe)}, ${concurrency} in flight`,
      engine: run.engine,
      unit: 'ref/s',
      better: 'higher',
    },
    result.throughput,
    { 'CPU ms/ref': result.cpuMsPerReferral },
  );
  return result;
}

/**
 * Runs × (every recipe: the gateway at every concurrency, then the ceiling at 1 and 16): the
 * rounds are interleaved so a change in the machine's load touches every figure alike, and each
 * ratio is taken within one round.
 */
export async function submissionRounds(run: EngineRun): Promise<void> {
  const { options, book, engine } = run;
  const withGateway = options.phases.has('submissions');
  const withCeiling = options.phases.has('ceiling');
  const keys = withCeiling ? await createCeilingKeys(run.network.police.leaf) : undefined;
  for (let round = 1; round <= options.runs; round += 1) {
    for (const recipe of recipesOf(run)) {
      const gatewayRuns = new Map<number, { throughput: number; cpu: number }>();
      if (withGateway) {
        for (const connections of options.connections) {
          const count = Math.max(options.referrals, 2 * connections);
          progress(
            `${engine} round ${round}: ${recipeLabel(recipe)}, ${connections} connections, ${count} referrals`,
          );
          const batch = await messagesFor(run, count, recipe);
          const result = await submit(run, batch, connections);
          if (result.errors > 0) {
            run.warnings.push(
              `${engine} ${recipeLabel(recipe)} ×${connections}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`,
            );
          }
          book.add(
            `${engine}.submit.${recipeKey(recipe)}.c${connections}`,
            {
              section: 'submissions',
              label: `${recipeLabel(recipe)}, ${connections} conn`,
              engine,
              unit: 'ref/s',
              better: 'higher',
            },
            result.throughput,
            {
              p50Ms: result.p50Ms,
              p99Ms: result.p99Ms,
              'CPU ms/ref': result.cpuMsPerReferral,
              errors: result.errors,
            },
            `message ${batch.sizes.signed} B signed, ${batch.sizes.jwe} B JWE`,
          );
          gatewayRuns.set(connections, {
            throughput: result.throughput,
            cpu: result.cpuMsPerReferral,
          });
        }
      }
      if (keys === undefined) continue;
      const ceilings = new Map<number, CeilingRound>();
      for (const concurrency of CEILING_CONCURRENCY) {
        progress(
          `${engine} round ${round}: ceiling ${recipeLabel(recipe)}, ${concurrency} in flight`,
        );
        ceilings.set(concurrency, await ceilingRun(run, keys, recipe, concurrency));
      }
      for (const [connections, measured] of gatewayRuns) {
        const ceiling = ceilings.get(ceilingFor(connections));
        if (ceiling === undefined) continue;
        const label = `${recipeLabel(recipe)}, ${connections} conn ÷ ceiling ${ceilingFor(connections)}`;
        book.add(
          `${engine}.ratio.${recipeKey(recipe)}.c${connections}`,
          { section: 'gateway ÷ ceiling', label, engine, unit: '×', better: 'higher' },
          measured.throughput / ceiling.throughput,
        );
        book.add(
          `${engine}.cpuratio.${recipeKey(recipe)}.c${connections}`,
          { section: 'CPU per referral ÷ ceiling', label, engine, unit: '×', better: 'lower' },
          measured.cpu / ceiling.cpuMsPerReferral,
        );
      }
    }
  }
}

/**
 * A gateway started with --cpu-prof takes one submission run at 16 connections; the samples taken
 * during that run (not start-up or shutdown) are attributed to the pipeline's stages.
 */
export async function profileRun(run: EngineRun): Promise<void> {
  const [recipe] = recipesOf(run);
  if (recipe === undefined) return;
  const profileDir = join(run.dir, 'profile');
  await startGateway(run, ['--cpu-prof', '--cpu-prof-dir', profileDir]);
  const count = Math.max(run.options.referrals, 64);
  await warmUp(run, 16);
  const batch = await messagesFor(run, count, recipe);
  progress(`${run.engine}: profiling ${count} submissions at 16 connections`);
  const gateway = gatewayOf(run);
  const [processBefore, mainBefore] = [
    await gateway.cpuSeconds(),
    await gateway.mainThreadCpuSeconds(),
  ];
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const result = await submit(run, batch, 16);
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const processCpu = (await gateway.cpuSeconds()) - processBefore;
  const mainCpu = (await gateway.mainThreadCpuSeconds()) - mainBefore;
  await stopGateway(run, 'profiled run');
  if (result.errors > 0) run.warnings.push(`the profiled run had ${result.errors} errors`);
  // The main thread's profile is the largest (a loader or worker thread writes its own, smaller).
  let file: string | undefined;
  let largest = -1;
  for (const name of await readdir(profileDir)) {
    const { size } = await stat(join(profileDir, name));
    if (name.endsWith('.cpuprofile') && size > largest) [file, largest] = [name, size];
  }
  if (file === undefined) {
    run.warnings.push('the profiled gateway wrote no .cpuprofile');
    return;
  }
  const breakdown = await breakDownProfile(join(profileDir, file), { fromUs, toUs });
  if (!breakdown.windowed) {
    run.warnings.push('profile samples could not be limited to the run; the whole profile counts');
  }
  // The profiler samples the JavaScript thread only; WebCrypto's ECDH and ECDSA run on the libuv
  // thread pool. Shares are given of the whole process's CPU, the other threads as one line.
  const mainShare = processCpu > 0 ? Math.min(1, mainCpu / processCpu) : 1;
  const shares: [string, number][] = [
    ...Object.entries(breakdown.stages).map(([stage, percent]): [string, number] => [
      stage,
      percent * mainShare,
    ]),
    ['other threads (crypto pool, GC, I/O)', (1 - mainShare) * 100],
  ];
  for (const [stage, percent] of shares) {
    run.book.add(
      `${run.engine}.profile.${stage}`,
      {
        section: 'CPU profile, % of process CPU',
        label: stage,
        engine: run.engine,
        unit: '%',
        better: 'lower',
        informative: true,
      },
      percent,
      {},
      stage.startsWith('other threads')
        ? `${Math.round((processCpu * 1000) / count)} ms CPU per referral in the profiled run`
        : undefined,
    );
  }
  run.profiles.push({
    engine: run.engine,
    recipe: recipeLabel(recipe),
    file: join(profileDir, file),
    ...breakdown,
  });
}
