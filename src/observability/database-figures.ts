// Figures that live in the database, read at scrape time so every instance and worker reports the same truth.
import { Gauge, Registry } from 'prom-client';
import type { Store } from '../store/index.js';

export interface DatabaseFigures {
  /** Entries in the audit log (the last sequence number handed out). */
  readonly auditEntries: number;
  /** The size of the newest signed checkpoint, and when it was signed; undefined before the first. */
  readonly checkpoint: { readonly size: number; readonly signedAt: Date } | undefined;
  /** Outbox rows waiting to be pushed, and rows dead-lettered (waiting for an operator). */
  readonly pendingDeliveries: number;
  readonly deadDeliveries: number;
}

/**
 * Four indexed reads: the trail's single sequence row, the checkpoint primary key's last entry and
 * two counts over the outbox's (status, next_attempt_at) index. None scans the audit trail.
 */
export async function readDatabaseFigures(store: Pick<Store, 'db'>): Promise<DatabaseFigures> {
  const { db } = store;
  const [sequence, checkpoint, outbox] = await Promise.all([
    db.selectFrom('audit_sequence').select('last_seq').where('id', '=', 1).executeTakeFirst(),
    db
      .selectFrom('audit_checkpoint')
      .select(['size', 'created_at'])
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('delivery')
      .select(['status', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
      .where('status', 'in', ['pending', 'dead'])
      .groupBy('status')
      .execute(),
  ]);
  const countOf = (status: string): number =>
    Number(outbox.find((row) => row.status === status)?.count ?? 0);
  return {
    auditEntries: sequence?.last_seq ?? 0,
    checkpoint:
      checkpoint === undefined
        ? undefined
        : { size: checkpoint.size, signedAt: new Date(checkpoint.created_at) },
    pendingDeliveries: countOf('pending'),
    deadDeliveries: countOf('dead'),
  };
}

/**
 * A registry of the figures of one scrape (and how many processes the rest covers), built afresh each time: when the read failed only
 * `enlace_database_figures_up 0` is there, since a 0 elsewhere would look like an empty outbox.
 */
export function databaseRegistry(
  read: DatabaseFigures | undefined,
  now: Date,
  processes: number,
): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, value: number): void => {
    new Gauge({ name, help, registers: [registry] }).set(value);
  };
  gauge(
    'enlace_metrics_processes',
    'Processes whose figures this answer sums: 1, or a cluster primary and the workers that answered.',
    processes,
  );
  gauge(
    'enlace_database_figures_up',
    '1 when the database figures could be read at this scrape, else 0.',
    read === undefined ? 0 : 1,
  );
  if (read === undefined) return registry;
  gauge('enlace_audit_log_entries', 'Entries in the audit log.', read.auditEntries);
  gauge(
    'enlace_audit_log_unsigned_entries',
    'Audit log entries that no signed checkpoint covers yet.',
    read.auditEntries - (read.checkpoint?.size ?? 0),
  );
  if (read.checkpoint !== undefined) {
    gauge(
      'enlace_audit_checkpoint_age_seconds',
      'Seconds since the newest signed checkpoint of the audit log (absent before the first).',
      Math.max(0, (now.getTime() - read.checkpoint.signedAt.getTime()) / 1000),
    );
  }
  const outbox = new Gauge({
    name: 'enlace_outbox_deliveries',
    help: 'Outbox deliveries by status: pending (queued or retrying) and dead (dead-lettered).',
    labelNames: ['status'],
    registers: [registry],
  });
  outbox.set({ status: 'pending' }, read.pendingDeliveries);
  outbox.set({ status: 'dead' }, read.deadDeliveries);
  return registry;
}
