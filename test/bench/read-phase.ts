// Reads under load: referral retrieval, the four searches, and Merkle proofs; latency one at a time, throughput at 16.
import { SURVIVOR_ID_SYSTEM } from '../integration/referrals/referral-fixtures.js';
import { POLICE, SHELTER, type SCOPES } from './bench-network.js';
import { gatewayOf, progress, tokenFor, type EngineRun } from './bench-context.js';
import { runLoad, type LoadRequest } from './http-load.js';

const THROUGHPUT_CONNECTIONS = 16;

interface ReadKind {
  readonly key: string;
  readonly label: string;
  /** Who asks; undefined for a public route. */
  readonly who: keyof typeof SCOPES | undefined;
  readonly path: (index: number) => string;
}

/** One latency run (one connection) and one throughput run (16) of `kind`, per round. */
async function measureRead(
  run: EngineRun,
  section: string,
  keyPrefix: string,
  kind: ReadKind,
  accept = 'application/fhir+json',
): Promise<void> {
  const { book, engine, options } = run;
  const gateway = gatewayOf(run);
  const token = kind.who === undefined ? undefined : await tokenFor(run, kind.who);
  const request = (index: number): LoadRequest => ({
    method: 'GET',
    path: kind.path(index),
    headers: { accept, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  const what = { section, engine, better: 'higher' as const };
  const latency = await runLoad(gateway.base, options.samples, 1, request, { expect: 200 });
  const cpuBefore = await gateway.cpuSeconds();
  const load = await runLoad(gateway.base, options.samples, THROUGHPUT_CONNECTIONS, request, {
    expect: 200,
  });
  const cpuMs = ((await gateway.cpuSeconds()) - cpuBefore) * 1000;
  for (const [result, connections] of [
    [latency, 1],
    [load, THROUGHPUT_CONNECTIONS],
  ] as const) {
    if (result.errors > 0) {
      run.warnings.push(
        `${engine} ${section} ${kind.label} ×${connections}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`,
      );
    }
  }
  book.add(
    `${engine}.${keyPrefix}.${kind.key}.latency`,
    { ...what, label: `${kind.label}, 1 conn`, unit: 'ms p50', better: 'lower' },
    latency.p50Ms,
    { p99Ms: latency.p99Ms, errors: latency.errors },
  );
  book.add(
    `${engine}.${keyPrefix}.${kind.key}.c${THROUGHPUT_CONNECTIONS}`,
    { ...what, label: `${kind.label}, ${THROUGHPUT_CONNECTIONS} conn`, unit: 'req/s' },
    load.throughput,
    {
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      'CPU ms/req': cpuMs / options.samples,
      errors: load.errors,
    },
  );
}

/** The recipient fetches referrals (a JWE to its own key; consent re-checked, disclosure recorded). */
export async function retrievalRuns(run: EngineRun): Promise<void> {
  const ids = run.taskIds;
  if (ids.length === 0) throw new Error('no Task to retrieve');
  for (let round = 1; round <= run.options.runs; round += 1) {
    progress(`${run.engine} round ${round}: retrieval`);
    await measureRead(
      run,
      'retrieval',
      'retrieve',
      {
        key: 'bundle',
        label: 'referral as JWE to the recipient',
        who: 'shelter',
        path: (index) => `/fhir/Bundle/${ids[index % ids.length] ?? ''}`,
      },
      'application/jose',
    );
  }
}

/** Task, AuditEvent (by institution and by survivor) and Organization searches: first pages. */
export async function searchRuns(
  run: EngineRun,
  where: 'small' | 'size',
  stored: string,
): Promise<void> {
  const survivor = encodeURIComponent(`${SURVIVOR_ID_SYSTEM}|${run.survivors[0] ?? ''}`);
  const kinds: ReadKind[] = [
    {
      key: 'task',
      label: `Task?owner (recipient)`,
      who: 'shelter',
      path: () => `/fhir/Task?owner=Organization/${SHELTER}`,
    },
    {
      key: 'audit-agent',
      label: 'AuditEvent?agent (sender)',
      who: 'oversight',
      path: () => `/fhir/AuditEvent?agent=Organization/${POLICE}`,
    },
    {
      key: 'audit-patient',
      label: 'AuditEvent?patient:identifier',
      who: 'oversight',
      path: () => `/fhir/AuditEvent?patient:identifier=${survivor}`,
    },
    {
      key: 'organization',
      label: 'Organization',
      who: 'police',
      path: () => '/fhir/Organization',
    },
  ];
  for (let round = 1; round <= run.options.runs; round += 1) {
    for (const kind of kinds) {
      progress(`${run.engine} round ${round}: search ${kind.label} (${stored})`);
      await measureRead(run, `search, ${stored}`, `search.${where}`, kind);
    }
  }
}

/** The size of the latest signed checkpoint: what an auditor asks proofs against. */
export async function checkpointSize(base: string): Promise<number | undefined> {
  const res = await fetch(`${base}/audit/checkpoint`);
  if (res.status !== 200) return undefined;
  return Number((await res.text()).split('\n')[1]);
}

/** Inclusion proofs (an auditor) and consistency proofs (anyone) at random positions of the log. */
export async function proofRuns(run: EngineRun, size: number, stored: string): Promise<void> {
  const random = (below: number) => 1 + Math.floor(Math.random() * (below - 1));
  for (let round = 1; round <= run.options.runs; round += 1) {
    progress(`${run.engine} round ${round}: proofs at ${size} entries`);
    await measureRead(
      run,
      `proofs, ${stored}`,
      'proof',
      {
        key: 'inclusion',
        label: `inclusion proof, tree ${size}`,
        who: 'oversight',
        path: () => `/audit/proof/inclusion?index=${random(size) - 1}&size=${size}`,
      },
      'application/json',
    );
    await measureRead(
      run,
      `proofs, ${stored}`,
      'proof',
      {
        key: 'consistency',
        label: `consistency proof, tree ${size}`,
        who: undefined,
        path: () => `/audit/proof/consistency?from=${random(size)}&to=${size}`,
      },
      'application/json',
    );
  }
}
