// Migration 0018: the audit log's counter row only moves forward: no DELETE, no TRUNCATE, no UPDATE that lowers it.
import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

const MESSAGE = 'audit_sequence only moves forward';

// Why: the application role must UPDATE this row (each append bumps it), so grants cannot protect
// it; the trigger can. A counter set back would make the next appends collide with recorded seqs
// or hide the tail from readers tailing by seq; its frontier is checked by the log scan instead.
export const auditCounterForwardOnly: StoreMigration = {
  name: '0018-audit-counter-forward-only',
  async up(db, dialect) {
    if (dialect === 'sqlite') {
      await sql`
        CREATE TRIGGER audit_sequence_refuse_delete BEFORE DELETE ON audit_sequence
        BEGIN SELECT RAISE(ABORT, ${sql.lit(MESSAGE)}); END
      `.execute(db);
      await sql`
        CREATE TRIGGER audit_sequence_refuse_rollback BEFORE UPDATE ON audit_sequence
        WHEN NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id
        BEGIN SELECT RAISE(ABORT, ${sql.lit(MESSAGE)}); END
      `.execute(db);
      return;
    }
    await sql`
      CREATE FUNCTION enlace_refuse_counter_rollback() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          IF NEW.last_seq >= OLD.last_seq AND NEW.id = OLD.id THEN
            RETURN NEW;
          END IF;
        END IF;
        RAISE EXCEPTION ${sql.lit(MESSAGE)};
      END
      $$
    `.execute(db);
    await sql`
      CREATE TRIGGER audit_sequence_refuse_rollback
      BEFORE UPDATE OR DELETE ON audit_sequence
      FOR EACH ROW EXECUTE FUNCTION enlace_refuse_counter_rollback()
    `.execute(db);
    await sql`
      CREATE TRIGGER audit_sequence_refuse_truncate
      BEFORE TRUNCATE ON audit_sequence
      FOR EACH STATEMENT EXECUTE FUNCTION enlace_refuse_counter_rollback()
    `.execute(db);
  },
};
