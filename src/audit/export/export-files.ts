// Where an export's files live: under the data directory (SQLite), or in the shared database (PostgreSQL).
import { createReadStream } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database, Dialect } from '../../store/index.js';

const PART_BYTES = 4 * 1024 * 1024;

export interface ExportFiles {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly dataDir: string;
}

export const exportDirectory = (dataDir: string, id: string): string =>
  join(dataDir, 'exports', id);

/**
 * After the writer finished: on PostgreSQL the files move into the database in 4 MiB parts and
 * the local copy is removed, so every instance can serve them; on SQLite they stay where they are.
 */
export async function publishExportFiles(files: ExportFiles, id: string): Promise<void> {
  if (files.dialect !== 'postgres') return;
  const dir = exportDirectory(files.dataDir, id);
  for (const name of await readdir(dir)) {
    const handle = await open(join(dir, name), 'r');
    try {
      for (let part = 0; ; part += 1) {
        const buffer = Buffer.alloc(PART_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, PART_BYTES, null);
        if (bytesRead === 0 && part > 0) break;
        await files.db
          .insertInto('audit_export_file')
          .values({ export_id: id, name, part, data: buffer.subarray(0, bytesRead) })
          .execute();
        if (bytesRead < PART_BYTES) break;
      }
    } finally {
      await handle.close();
    }
  }
  await rm(dir, { recursive: true, force: true });
}

/** The file as a stream with its size, or undefined when the export holds no such file. */
export async function readExportFile(
  files: ExportFiles,
  id: string,
  name: string,
): Promise<{ readonly stream: Readable; readonly size: number } | undefined> {
  if (files.dialect !== 'postgres') {
    const path = join(exportDirectory(files.dataDir, id), name);
    const size = await stat(path).then(
      (info) => info.size,
      () => undefined,
    );
    return size === undefined ? undefined : { stream: createReadStream(path), size };
  }
  const { size, parts } = await files.db
    .selectFrom('audit_export_file')
    .select((eb) => [
      eb.fn.sum<number | string>(eb.fn('length', ['data'])).as('size'),
      eb.fn.countAll<number | string>().as('parts'),
    ])
    .where('export_id', '=', id)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  if (Number(parts) === 0) return undefined;
  // One part at a time: memory stays at 4 MiB whatever the export's size.
  async function* partsInOrder(): AsyncGenerator<Uint8Array> {
    for (let part = 0; part < Number(parts); part += 1) {
      const row = await files.db
        .selectFrom('audit_export_file')
        .select('data')
        .where('export_id', '=', id)
        .where('name', '=', name)
        .where('part', '=', part)
        .executeTakeFirstOrThrow();
      yield row.data;
    }
  }
  return { stream: Readable.from(partsInOrder()), size: Number(size) };
}

export async function deleteExportFiles(files: ExportFiles, id: string): Promise<void> {
  await rm(exportDirectory(files.dataDir, id), { recursive: true, force: true });
  await files.db.deleteFrom('audit_export_file').where('export_id', '=', id).execute();
}
