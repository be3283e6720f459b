// Whatever bytes an export holds, the verifier answers with a verdict: it never throws and never fails internally.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import type { VerifyExportResult } from '../../../src/audit/verify-export/index.js';
import type { ExportFixture } from '../../support/audit-export-fixture.js';
import { Scratch, verifyWith, witnessKeysOf } from './verify-export-support.js';

const COMPLETE_FILES = [
  'manifest.json',
  'AuditEvent.ndjson',
  'leaf-hashes.bin',
  'checkpoint.txt',
  'consistency.ndjson',
];
const FILTERED_FILES = ['manifest.json', 'AuditEvent.ndjson', 'proofs.ndjson', 'checkpoint.txt'];
/** Files in which any change is a failure (a manifest's transactionTime, say, is informative). */
const EVIDENCE = ['AuditEvent.ndjson', 'leaf-hashes.bin', 'proofs.ndjson', 'consistency.ndjson'];

/** Characters that matter to the formats: structure, escapes, base64, newlines, odd Unicode. */
const lineChars = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  'u',
  '0',
  '1',
  '9',
  '-',
  'e',
  '.',
  '=',
  '+',
  '/',
  'A',
  'index',
  'proof',
  'size',
  'root',
  'null',
  ' ',
  '\n',
  '\r',
  '—',
  '\u2028',
  '😀',
);
const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.array(lineChars, { maxLength: 200 }).map((chars) => Buffer.from(chars.join(''))),
  fc
    .array(fc.json(), { maxLength: 8 })
    .map((lines) => Buffer.from(lines.map((l) => `${l}\n`).join(''))),
);

function assertVerdict(result: VerifyExportResult): void {
  assert.equal(typeof result.ok, 'boolean');
  assert.notEqual(result.reason, 'INTERNAL', result.detail);
  assert.ok(Number.isSafeInteger(result.entries));
}

describe('the verifier on hostile files (property)', function () {
  this.timeout(120_000);
  let scratch: Scratch;
  const fixtures: { name: string; fixture: ExportFixture; files: string[]; dir: string }[] = [];

  before(async () => {
    scratch = await Scratch.create();
    const complete = await scratch.fixture({ size: 23, checkpointSizes: [5, 16], witnesses: 1 });
    const filtered = await scratch.fixture({ size: 23, indexes: [1, 8, 22], checkpointSizes: [5] });
    fixtures.push(
      {
        name: 'complete',
        fixture: complete,
        files: COMPLETE_FILES,
        dir: await scratch.copy(complete),
      },
      {
        name: 'filtered',
        fixture: filtered,
        files: [...FILTERED_FILES, 'consistency.ndjson'],
        dir: await scratch.copy(filtered),
      },
    );
  });
  after(() => scratch.remove());

  it('answers a verdict whatever bytes replace any one file', async () => {
    for (const { fixture, files, dir } of fixtures) {
      for (const file of files) {
        const original = await readFile(join(dir, file));
        await fc.assert(
          fc.asyncProperty(hostileBytes, async (bytes) => {
            await writeFile(join(dir, file), bytes);
            const result = await verifyWith(fixture, dir, {
              witnessKeys: witnessKeysOf(fixture),
              earlierCheckpoint: fixture.earlierNotes.get(5)!,
            });
            assertVerdict(result);
            if (!Buffer.from(bytes).equals(original) && file !== 'consistency.ndjson') {
              assert.equal(result.ok, false, `${file} replaced, yet verified`);
            }
          }),
          { numRuns: 25 },
        );
        await writeFile(join(dir, file), original);
      }
    }
  });

  it('fails on any single byte changed in the evidence files, and never throws on others', async () => {
    for (const { fixture, files, dir } of fixtures) {
      for (const file of files) {
        const original = await readFile(join(dir, file));
        if (original.length === 0) continue;
        await fc.assert(
          fc.asyncProperty(
            fc.nat(original.length - 1),
            fc.integer({ min: 1, max: 255 }),
            async (at, mask) => {
              const bytes = Buffer.from(original);
              bytes[at] = (bytes[at] ?? 0) ^ mask;
              await writeFile(join(dir, file), bytes);
              const result = await verifyWith(fixture, dir);
              assertVerdict(result);
              if (EVIDENCE.includes(file))
                assert.equal(result.ok, false, `${file}[${at}] ^ ${mask}`);
            },
          ),
          { numRuns: 30 },
        );
        await writeFile(join(dir, file), original);
      }
    }
  });

  it('refuses any JSON value as a manifest, unless it names only files of the export', async () => {
    const { fixture, dir } = fixtures[0]!;
    const original = await readFile(join(dir, 'manifest.json'));
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        await writeFile(join(dir, 'manifest.json'), JSON.stringify(value));
        const result = await verifyWith(fixture, dir);
        assertVerdict(result);
        assert.ok(['MANIFEST_INVALID', 'PATH_UNSAFE'].includes(result.reason ?? ''), result.reason);
      }),
      { numRuns: 200 },
    );
    await writeFile(join(dir, 'manifest.json'), original);
  });

  it('answers a verdict for any earlier checkpoint text', async () => {
    const { fixture, dir } = fixtures[1]!;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 600 })),
        async (earlier) => {
          const result = await verifyWith(fixture, dir, { earlierCheckpoint: earlier });
          assertVerdict(result);
          assert.equal(result.reason, 'EARLIER_CHECKPOINT_INVALID');
        },
      ),
      { numRuns: 100 },
    );
  });
});
