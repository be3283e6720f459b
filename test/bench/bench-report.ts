// The benchmark's figures: collected run by run, printed as one table, written as JSON, compared with an earlier JSON.
import { readFile } from 'node:fs/promises';
import { spreadOf, type Spread } from './stats.js';

export type Better = 'higher' | 'lower';

/** Medians across runs of per-run values such as p50 and p99, shown beside the main figure. */
export type Extras = Readonly<Record<string, number>>;

export interface Figure {
  /** Stable across runs of the benchmark: what `--compare` matches on. */
  readonly key: string;
  readonly section: string;
  readonly label: string;
  readonly engine: string;
  readonly unit: string;
  readonly better: Better;
  /** Informative only (a profile's shares): never flagged as a regression. */
  readonly informative?: boolean;
  readonly spread: Spread;
  readonly extras: Extras;
  /** Shown in the table after the figure (errors, sizes). */
  readonly note?: string;
}

interface Collecting {
  section: string;
  label: string;
  engine: string;
  unit: string;
  better: Better;
  informative?: boolean;
  runs: number[];
  extras: Map<string, number[]>;
  notes: Set<string>;
}

/** Lower-is-better extras: latencies. Everything else in extras is informative only. */
const LATENCY_EXTRAS = new Set(['p50Ms', 'p99Ms']);

export class FigureBook {
  private readonly figures = new Map<string, Collecting>();

  /** Adds one run's value (and its extras) to the figure `key`. */
  add(
    key: string,
    what: Omit<Collecting, 'runs' | 'extras' | 'notes'>,
    value: number,
    extras: Readonly<Record<string, number>> = {},
    note?: string,
  ): void {
    let figure = this.figures.get(key);
    if (figure === undefined) {
      figure = { ...what, runs: [], extras: new Map(), notes: new Set() };
      this.figures.set(key, figure);
    }
    figure.runs.push(value);
    for (const [name, extra] of Object.entries(extras)) {
      figure.extras.set(name, [...(figure.extras.get(name) ?? []), extra]);
    }
    if (note !== undefined) figure.notes.add(note);
  }

  runsOf(key: string): readonly number[] {
    return this.figures.get(key)?.runs ?? [];
  }

  list(): Figure[] {
    return [...this.figures].map(([key, figure]) => ({
      key,
      section: figure.section,
      label: figure.label,
      engine: figure.engine,
      unit: figure.unit,
      better: figure.better,
      ...(figure.informative === true ? { informative: true } : {}),
      spread: spreadOf(figure.runs),
      extras: Object.fromEntries(
        [...figure.extras].map(([name, values]) => [name, spreadOf(values).median]),
      ),
      ...(figure.notes.size === 0 ? {} : { note: [...figure.notes].join('; ') }),
    }));
  }
}

const format = (value: number): string => {
  if (!Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const size = Math.abs(value);
  if (size >= 1000) return Math.round(value).toLocaleString('en-US');
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  return value.toFixed(size >= 1 ? 2 : 3);
};

function extrasText(extras: Extras): string {
  const parts: string[] = [];
  if (extras['p50Ms'] !== undefined) parts.push(`p50 ${format(extras['p50Ms'])} ms`);
  if (extras['p99Ms'] !== undefined) parts.push(`p99 ${format(extras['p99Ms'])} ms`);
  for (const [name, value] of Object.entries(extras)) {
    if (!LATENCY_EXTRAS.has(name)) parts.push(`${name} ${format(value)}`);
  }
  return parts.join(', ');
}

/** One table: every figure with its median, min–max, and details; sections in the order measured. */
export function formatTable(figures: readonly Figure[], runs: number): string {
  const rows = figures.map((figure) => [
    figure.section,
    figure.label,
    figure.engine,
    `${format(figure.spread.median)} ${figure.unit}`,
    runs > 1 ? `${format(figure.spread.min)}–${format(figure.spread.max)}` : '',
    [extrasText(figure.extras), figure.note ?? ''].filter((part) => part !== '').join('; '),
  ]);
  const header = ['section', 'figure', 'engine', `median of ${runs}`, 'min–max', 'detail'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  let previous = '';
  const body = rows.map((row) => {
    const text = line(row[0] === previous ? ['', ...row.slice(1)] : row);
    previous = row[0] ?? '';
    return text;
  });
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body].join('\n');
}

export interface Regression {
  readonly key: string;
  readonly what: string;
  readonly before: number;
  readonly after: number;
  /** Percent worse (positive). */
  readonly worse: number;
}

export interface Comparison {
  readonly regressions: readonly Regression[];
  readonly compared: number;
  /** Settings that differ between the two runs, which make their figures incomparable. */
  readonly mismatches: readonly string[];
}

const THRESHOLD = 10;

/** Figures more than 10% worse than in `earlierFile` (matched by key; latencies of each figure too). */
export async function compareWith(
  earlierFile: string,
  figures: readonly Figure[],
  settings: Readonly<Record<string, unknown>>,
): Promise<Comparison> {
  const earlier = JSON.parse(await readFile(earlierFile, 'utf8')) as {
    settings?: Record<string, unknown>;
    figures?: Figure[];
  };
  const mismatches = ['quick', 'rows', 'referrals', 'samples', 'gateway']
    .filter((name) => JSON.stringify(earlier.settings?.[name]) !== JSON.stringify(settings[name]))
    .map(
      (name) =>
        `${name}: ${JSON.stringify(earlier.settings?.[name])} then, ${JSON.stringify(settings[name])} now`,
    );
  const before = new Map((earlier.figures ?? []).map((figure) => [figure.key, figure]));
  const regressions: Regression[] = [];
  let compared = 0;
  const check = (key: string, what: string, old: number, now: number, better: Better) => {
    if (!Number.isFinite(old) || !Number.isFinite(now) || old === 0) return;
    compared += 1;
    const worse = better === 'higher' ? ((old - now) / old) * 100 : ((now - old) / old) * 100;
    if (worse > THRESHOLD) regressions.push({ key, what, before: old, after: now, worse });
  };
  for (const figure of figures) {
    const old = before.get(figure.key);
    if (old === undefined || figure.informative === true) continue;
    const what = `${figure.section}: ${figure.label} (${figure.engine})`;
    check(figure.key, what, old.spread.median, figure.spread.median, figure.better);
    for (const name of LATENCY_EXTRAS) {
      const was = old.extras[name];
      const is = figure.extras[name];
      if (was !== undefined && is !== undefined)
        check(`${figure.key}.${name}`, `${what} ${name}`, was, is, 'lower');
    }
  }
  return { regressions, compared, mismatches };
}

export function formatComparison(file: string, comparison: Comparison): string {
  const lines = [
    `compared with ${file}: ${comparison.compared} figures, ${comparison.regressions.length} more than ${THRESHOLD}% worse`,
  ];
  for (const mismatch of comparison.mismatches) lines.push(`  note: settings differ (${mismatch})`);
  for (const regression of comparison.regressions) {
    lines.push(
      `  REGRESSION ${regression.what}: ${format(regression.before)} → ${format(regression.after)} (${regression.worse.toFixed(0)}% worse)`,
    );
  }
  return lines.join('\n');
}
