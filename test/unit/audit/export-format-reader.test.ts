// The export readers: bounded byte lines, strict hashes and names, refusals instead of exceptions escaping.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ExportFormatError,
  fromHashBase64,
  isSafeExportName,
  openExportFile,
  readConsistencyLines,
  readInclusionLines,
  readLeafHashes,
  readLines,
  type ExportFile,
} from '../../../src/audit/export-format/index.js';
import { Scratch } from './verify-export-support.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('the audit export readers', () => {
  let scratch: Scratch;
  before(async () => (scratch = await Scratch.create()));
  after(() => scratch.remove());

  async function fileWith(content: string | Buffer): Promise<ExportFile> {
    const name = 'file.ndjson';
    const dir = scratch.path();
    await mkdir(dir);
    await writeFile(join(dir, name), content);
    return openExportFile(dir, name);
  }

  async function assertLineRefused(
    content: string | Buffer,
    line: number,
    why: RegExp,
  ): Promise<void> {
    const file = await fileWith(content);
    try {
      await assert.rejects(collect(readLines(file, 64)), (error: unknown) => {
        assert.ok(error instanceof ExportFormatError);
        assert.equal(error.code, 'ERR_EXPORT_LINE_INVALID');
        assert.equal(error.line, line);
        assert.match(error.detail ?? '', why);
        return true;
      });
    } finally {
      await file.handle.close();
    }
  }

  it('reads byte lines with their numbers, keeping a CR as part of the line', async () => {
    const file = await fileWith('{"a":1}\n{"é":2}\r\n');
    const lines = await collect(readLines(file));
    await file.handle.close();
    assert.deepEqual(
      lines.map((l) => [l.number, l.text, l.bytes.length]),
      [
        [1, '{"a":1}', 7],
        [2, '{"é":2}\r', 9],
      ],
    );
  });

  it('reads lines across chunk boundaries', async () => {
    const line = `{"x":"${'y'.repeat(300_000)}"}`;
    const file = await fileWith(`${line}\n`.repeat(7));
    const lines = await collect(readLines(file));
    await file.handle.close();
    assert.equal(lines.length, 7);
    assert.ok(lines.every((l) => l.text === line));
  });

  it('refuses long, empty, non-UTF-8 and unterminated lines at their line number', async () => {
    await assertLineRefused(`ok\n${'x'.repeat(65)}\n`, 2, /too long/);
    await assertLineRefused(`ok\n${'x'.repeat(200)}`, 2, /too long/);
    await assertLineRefused('ok\n\nok\n', 2, /empty/);
    await assertLineRefused(Buffer.from([0x6f, 0x0a, 0xc3, 0x28, 0x0a]), 2, /UTF-8/);
    await assertLineRefused(Buffer.from('ok\n"\xed\xa0\x80"\n', 'latin1'), 2, /UTF-8/);
    await assertLineRefused('ok\nno newline', 2, /newline/);
  });

  it('parses inclusion and consistency lines, refusing any other shape', async () => {
    const hash = Buffer.alloc(32, 1).toString('base64');
    const good = await fileWith(`{"index":4,"proof":["${hash}"]}\n`);
    assert.deepEqual((await collect(readInclusionLines(good)))[0]?.index, 4);
    await good.handle.close();
    const consistency = await fileWith(`{"proof":[],"root":"${hash}","size":3}\n`);
    assert.equal((await collect(readConsistencyLines(consistency)))[0]?.size, 3);
    await consistency.handle.close();
    for (const bad of [
      '[]',
      '{"index":4}',
      '{"index":4.5,"proof":[]}',
      `{"index":4,"proof":"${hash}"}`,
      'nope',
    ]) {
      const file = await fileWith(`${bad}\n`);
      await assert.rejects(collect(readInclusionLines(file)), { code: 'ERR_EXPORT_LINE_INVALID' });
      await file.handle.close();
    }
  });

  it('reads leaf hashes, refusing a file that is not whole hashes', async () => {
    const file = await fileWith(Buffer.alloc(96, 3));
    assert.equal((await collect(readLeafHashes(file))).length, 3);
    await file.handle.close();
    const short = await fileWith(Buffer.alloc(33));
    await assert.rejects(collect(readLeafHashes(short)), { code: 'ERR_EXPORT_FILE_UNREADABLE' });
    await short.handle.close();
  });

  it('decodes a hash only from its one canonical base64 spelling', () => {
    const hash = Buffer.alloc(32, 0xab);
    const text = hash.toString('base64');
    assert.deepEqual(fromHashBase64(text), new Uint8Array(hash));
    const lastBitSet = `${text.slice(0, 42)}${String.fromCharCode(text.charCodeAt(42) + 1)}=`;
    for (const bad of [
      text.slice(0, 43),
      `${text}=`,
      text.replace('q', '-'),
      lastBitSet,
      ` ${text}`,
      7,
      null,
    ]) {
      assert.equal(fromHashBase64(bad), undefined, String(bad));
    }
  });

  it('accepts only plain relative names inside the export', () => {
    for (const name of ['AuditEvent.ndjson', 'part/1.ndjson', 'a_b-c.d'])
      assert.equal(isSafeExportName(name), true);
    for (const name of [
      '',
      '.',
      '..',
      '../x',
      '/x',
      'a/../b',
      'a//b',
      'a/',
      '.hidden/..',
      'a\\b',
      'C:\\x',
      'x\u0000',
      'x'.repeat(256),
      7,
    ]) {
      assert.equal(isSafeExportName(name), false, String(name));
    }
  });
});
