// Reads a test database raw, as someone who copied it would: every row of every table as text, and on SQLite the file bytes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from './test-database.js';

/** Every table's rows, each row as text: `SELECT t::text` on PostgreSQL, JSON on SQLite. */
export async function dumpTables(
  database: TestDatabase,
  dataDir: string,
): Promise<Map<string, string[]>> {
  const dump = new Map<string, string[]>();
  if (database.url !== undefined) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const tables = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
      );
      for (const { name } of tables.rows) {
        // Identifiers come from the catalogue itself; quoted all the same.
        const rows = await client.query<{ row: string }>(
          `SELECT t::text AS row FROM "${name.replaceAll('"', '""')}" t`,
        );
        dump.set(
          name,
          rows.rows.map((row) => row.row),
        );
      }
    } finally {
      await client.end();
    }
    return dump;
  }
  const file = new Sqlite(join(dataDir, 'enlace.db'), { readonly: true });
  try {
    const tables = file
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string }[];
    for (const { name } of tables) {
      const rows = file.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all();
      dump.set(
        name,
        rows.map((row) => JSON.stringify(row)),
      );
    }
  } finally {
    file.close();
  }
  return dump;
}

/** The SQLite database file and its write-ahead log, byte for byte (empty when absent). */
export async function sqliteFiles(dataDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of ['enlace.db', 'enlace.db-wal']) {
    files.set(name, await readFile(join(dataDir, name)).catch(() => Buffer.alloc(0)));
  }
  return files;
}

/** Which of `words` each table's rows contain, for the tables where any does. */
export function tablesHolding(
  dump: ReadonlyMap<string, readonly string[]>,
  words: readonly string[],
): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [table, rows] of dump) {
    const text = rows.join('\n').toLowerCase();
    const hits = words.filter((word) => text.includes(word.toLowerCase()));
    if (hits.length > 0) found[table] = hits;
  }
  return found;
}

/** Which of `words` each file holds (as UTF-8), for the files where any does. */
export function filesHolding(
  files: ReadonlyMap<string, Buffer>,
  words: readonly string[],
): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, bytes] of files) {
    const hits = words.filter((word) => bytes.includes(Buffer.from(word, 'utf8')));
    if (hits.length > 0) found[name] = hits;
  }
  return found;
}
