// A gateway app over a fresh database of one engine, an auditor stand-in, and the superuser's tampering tools.
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import { sql } from 'kysely';
import { createApp } from '../../../src/app.js';
import { auditSubtype, auditType, buildAuditEvent } from '../../../src/audit/index.js';
import { openLedger, type Ledger } from '../../../src/audit/ledger/index.js';
import type { Store } from '../../../src/store/index.js';
import { byToken } from '../consent/emergency/emergency-app.js';
import { createTestServices, type TestServices } from '../../support/test-app.js';
import type { TestDatabase, TestEngine } from '../../support/test-database.js';

export interface LedgerHarness {
  readonly app: Express;
  readonly test: TestServices;
  readonly store: Store;
  readonly ledger: Ledger;
  /** Appends `count` AuditEvents as the gateway would. */
  append(count: number): Promise<void>;
  /** Opens the ledger again, as a restart would, and returns its verdict. */
  reopen(): Promise<Ledger>;
  /** Runs SQL as a database superuser would: with the append-only triggers out of the way. */
  tamper(statements: readonly string[]): Promise<void>;
  dispose(): Promise<void>;
}

const LEDGER_TABLES = [
  'audit_event',
  'audit_tree_node',
  'audit_event_ref',
  'audit_checkpoint',
  'audit_sequence',
];

export async function startLedgerHarness(engine: TestEngine): Promise<LedgerHarness> {
  const database: TestDatabase = await engine.create();
  const test = await createTestServices({ env: database.env, authorize: byToken });
  const { store } = test;
  const reopen = () =>
    openLedger({
      store,
      dataDir: test.dataDir,
      origin: test.services.config.auditLogOrigin,
      clock: () => new Date(),
    });
  let tampered = false;
  return {
    app: createApp(test.services),
    test,
    store,
    ledger: test.capabilities.ledger,
    async append(count) {
      for (let i = 0; i < count; i += 1) {
        await store.audit.append(
          buildAuditEvent({
            type: auditType.rest,
            subtype: auditSubtype.read,
            action: 'R',
            outcome: '0',
            recorded: new Date(),
            agents: [{ reference: 'Organization/police-central' }],
            entities: [{ reference: `Task/${randomUUID()}` }],
          }),
        );
      }
    },
    reopen,
    async tamper(statements) {
      tampered = true;
      if (store.dialect === 'sqlite') {
        const { rows } = await sql<{ name: string }>`
          SELECT name FROM sqlite_master WHERE type = 'trigger'
        `.execute(store.db);
        for (const { name } of rows) await sql`DROP TRIGGER ${sql.id(name)}`.execute(store.db);
      } else {
        for (const table of LEDGER_TABLES) {
          await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER USER`.execute(store.db);
        }
      }
      for (const statement of statements) await sql.raw(statement).execute(store.db);
    },
    async dispose() {
      try {
        // A tampered trail no longer holds only what the gateway wrote; it is not checked.
        if (tampered) await store.close();
        await test.dispose().catch((error: unknown) => {
          if (!tampered) throw error;
        });
      } finally {
        await database.drop();
      }
    },
  };
}
