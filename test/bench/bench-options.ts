// The benchmark's command line: what to measure, at which sizes, how many times, and where to write.
import { parseArgs } from 'node:util';

export const PHASES = [
  'startup',
  'submissions',
  'ceiling',
  'retrieval',
  'search',
  'proofs',
  'export',
  'profile',
  'soak',
] as const;
export type Phase = (typeof PHASES)[number];

export const CURVES = ['P-256', 'X25519'] as const;
export type Curve = (typeof CURVES)[number];

export type Engine = 'sqlite' | 'postgres';

export interface BenchOptions {
  readonly quick: boolean;
  readonly phases: ReadonlySet<Phase>;
  /** Referrals seeded before the searches, proofs and export at size (each with its audit entry). */
  readonly rows: number;
  /** Audit entries at size: topped up with ledger entries when the referrals left fewer. */
  readonly auditRows: number;
  /** Interleaved runs of every measurement; the median is reported. */
  readonly runs: number;
  /** Referrals submitted in one submission run (at least twice the connections). */
  readonly referrals: number;
  readonly connections: readonly number[];
  readonly curves: readonly Curve[];
  /** Bytes of case narrative each referral carries (ServiceRequest.note), besides its structure. */
  readonly sizes: readonly number[];
  /** Survivors with a recorded consent; the referrals cycle through them. */
  readonly survivors: number;
  /** Requests in one search, retrieval or proof run. */
  readonly samples: number;
  /** Minutes of the memory soak (submissions at 16 connections, the resident set sampled). */
  readonly soakMinutes: number;
  readonly engines: readonly Engine[];
  /** PostgreSQL server under which each run creates (and drops) a fresh database. */
  readonly postgresUrl: string | undefined;
  /** `dist`: the compiled gateway as `npm start` runs it; `source`: `node --import tsx src/main.ts`. */
  readonly gateway: 'dist' | 'source';
  readonly build: boolean;
  readonly out: string | undefined;
  readonly compare: string | undefined;
  readonly saveBaseline: boolean;
  readonly keep: boolean;
}

export const USAGE = `npm run bench -- [options]

  --quick                 small sizes and one run (a smoke test of the whole benchmark)
  --only a,b              phases: ${PHASES.join(', ')}
  --rows N                referrals (and audit entries) stored for the searches, proofs and
                          export at size (default 100000; the full benchmark is --rows 1000000)
  --audit-rows N          audit entries at size, if more than --rows (default: --rows)
  --runs N                interleaved runs of each measurement, median reported (default 3)
  --referrals N           referrals per submission run (default 1000)
  --connections a,b       submission concurrency (default 1,16,64,256)
  --curves a,b            gateway encryption keys: P-256, X25519 (default both)
  --sizes a,b             case narrative each referral carries, in bytes (default 2048,20480)
  --survivors N           survivors with a consent (default 50)
  --samples N             requests per search, retrieval or proof run (default 500)
  --soak-minutes N        length of the memory soak, submissions at 16 connections (default 10;
                          1 with --quick)
  --engines a,b           sqlite, postgres (default sqlite, and postgres when
                          ENLACE_BENCH_DATABASE_URL is set)
  --gateway dist|source   the compiled gateway as npm start runs it (default), or the sources via tsx
  --skip-build            do not compile dist/ first
  --out FILE              where to write the JSON (default bench-results/<date>.json)
  --compare FILE          compare with an earlier JSON; regressions (>10% worse) are flagged
  --save-baseline         also write test/bench/baseline.json
  --keep                  keep the data directories (printed at the end)
`;

const list = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function count(name: string, text: string | undefined, fallback: number, least = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) {
    throw new Error(`--${name} must be an integer of at least ${least} (got ${text})`);
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  items: readonly string[],
  allowed: readonly T[],
): T[] {
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`--${name} takes ${allowed.join(', ')} (got ${item})`);
    }
  }
  return items as T[];
}

/** Reads the arguments; throws with a one-line message for a bad one, returns undefined for --help. */
export function readBenchOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      rows: { type: 'string' },
      'audit-rows': { type: 'string' },
      runs: { type: 'string' },
      referrals: { type: 'string' },
      connections: { type: 'string' },
      curves: { type: 'string' },
      sizes: { type: 'string' },
      survivors: { type: 'string' },
      samples: { type: 'string' },
      'soak-minutes': { type: 'string' },
      engines: { type: 'string' },
      gateway: { type: 'string' },
      'skip-build': { type: 'boolean' },
      out: { type: 'string' },
      compare: { type: 'string' },
      'save-baseline': { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return undefined;
  const quick = values.quick === true;
  const postgresUrl = env['ENLACE_BENCH_DATABASE_URL'] || undefined;
  const engines = oneOf<Engine>(
    'engines',
    list(values.engines ?? (postgresUrl === undefined ? 'sqlite' : 'sqlite,postgres')),
    ['sqlite', 'postgres'],
  );
  if (engines.includes('postgres') && postgresUrl === undefined) {
    throw new Error('--engines postgres needs ENLACE_BENCH_DATABASE_URL=postgres://…');
  }
  const rows = count('rows', values.rows, quick ? 2000 : 100_000);
  const sizes = list(values.sizes ?? '2048,20480').map((size) => count('sizes', size, 0, 1024));
  const gateway = values.gateway ?? 'dist';
  if (gateway !== 'dist' && gateway !== 'source') {
    throw new Error(`--gateway takes dist or source (got ${gateway})`);
  }
  return {
    quick,
    phases: new Set(oneOf<Phase>('only', list(values.only ?? PHASES.join(',')), PHASES)),
    rows,
    auditRows: Math.max(rows, count('audit-rows', values['audit-rows'], rows)),
    runs: count('runs', values.runs, quick ? 1 : 3),
    referrals: count('referrals', values.referrals, quick ? 48 : 1000),
    connections: list(values.connections ?? '1,16,64,256').map((c) => count('connections', c, 0)),
    curves: oneOf<Curve>('curves', list(values.curves ?? CURVES.join(',')), CURVES),
    sizes,
    survivors: count('survivors', values.survivors, quick ? 8 : 50),
    samples: count('samples', values.samples, quick ? 40 : 500),
    soakMinutes: count('soak-minutes', values['soak-minutes'], quick ? 1 : 10),
    engines,
    postgresUrl,
    gateway,
    build: values['skip-build'] !== true,
    out: values.out,
    compare: values.compare,
    saveBaseline: values['save-baseline'] === true,
    keep: values.keep === true,
  };
}
