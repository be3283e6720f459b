// Temporary export directories to tamper with: copies of fixtures, and edits of their lines and manifest.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  writeExportFixture,
  type ExportFixture,
  type ExportFixtureOptions,
} from './audit-export-fixture.js';

/** A scratch directory for one suite, removed by `remove`. */
export class Scratch {
  private constructor(readonly root: string) {}
  private count = 0;

  static async create(): Promise<Scratch> {
    return new Scratch(await mkdtemp(join(tmpdir(), 'enlace-export-')));
  }

  path(name = 'x'): string {
    this.count += 1;
    return join(this.root, `${this.count}-${name}`);
  }

  fixture(options: ExportFixtureOptions): Promise<ExportFixture> {
    return writeExportFixture(this.path('export'), options);
  }

  /** A copy of the fixture's export, to tamper with. */
  async copy(fixture: ExportFixture): Promise<string> {
    const dir = this.path('copy');
    await cp(fixture.dir, dir, { recursive: true });
    return dir;
  }

  remove(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}

/** Rewrites the lines of an NDJSON file (without their final newlines). */
export async function editLines(
  dir: string,
  name: string,
  edit: (lines: string[]) => string[],
): Promise<void> {
  const text = await readFile(join(dir, name), 'utf8');
  const lines = text.split('\n').slice(0, -1);
  const edited = edit(lines);
  await writeFile(join(dir, name), edited.length === 0 ? '' : `${edited.join('\n')}\n`);
}

/** Rewrites manifest.json through `edit` on its parsed form. */
export async function editManifest(
  dir: string,
  edit: (manifest: Record<string, unknown>, audit: Record<string, unknown>) => void,
): Promise<void> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    extension: Record<string, Record<string, unknown>>;
  };
  const audit = Object.values(manifest.extension)[0]!;
  edit(manifest, audit);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** A line of JSON with one member replaced, re-serialised canonically (members in JCS order). */
export function replaceMember(line: string, key: string, value: unknown): string {
  const object = JSON.parse(line) as Record<string, unknown>;
  object[key] = value;
  const sorted = Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify(sorted);
}
