import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { createPayloadVault, loadOrCreateDataKeys } from '../../../src/crypto/index.js';

describe('the data keys (key-encryption keys for payloads at rest)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-data-keys-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('creates an owner-only key file on first start and reloads the same key after', async () => {
    const first = await loadOrCreateDataKeys(dataDir);
    const path = join(dataDir, 'keys', 'data-keys.json');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal(first.current, 'kek-1');
    assert.equal(first.keks[0]?.key.byteLength, 32);
    const second = await loadOrCreateDataKeys(dataDir);
    assert.deepEqual(second, first);
    const sealed = await (await createPayloadVault(first)).seal('texto', 'r1');
    const reopened = await (await createPayloadVault(second)).open(sealed.blob, 'r1');
    assert.equal(new TextDecoder().decode(reopened), 'texto');
  });

  it('reads a configured file with several keys, the current one named', async () => {
    const file = join(dataDir, 'kek.json');
    const keys = {
      'kek-2025': randomBytes(32).toString('base64'),
      'kek-2026': randomBytes(32).toString('base64'),
    };
    await writeFile(file, JSON.stringify({ current: 'kek-2026', keys }), { mode: 0o600 });
    const keySet = await loadOrCreateDataKeys(dataDir, file);
    assert.equal(keySet.current, 'kek-2026');
    assert.deepEqual(
      keySet.keks.map((kek) => kek.id),
      ['kek-2025', 'kek-2026'],
    );
    await assert.rejects(stat(join(dataDir, 'keys', 'data-keys.json')), { code: 'ENOENT' });
  });

  it('refuses a key file others can read', async () => {
    await loadOrCreateDataKeys(dataDir);
    await chmod(join(dataDir, 'keys', 'data-keys.json'), 0o640);
    await assert.rejects(loadOrCreateDataKeys(dataDir), /readable by group or others/);
  });

  it('refuses a malformed key file, naming the problem and never a key', async () => {
    const file = join(dataDir, 'kek.json');
    const short = randomBytes(16).toString('base64');
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      [JSON.stringify({ keys: {} }), /must be \{"current"/],
      [JSON.stringify({ current: 'a', keys: { a: short } }), /exactly 32 random bytes/],
      [
        JSON.stringify({ current: 'b', keys: { a: randomBytes(32).toString('base64') } }),
        /not among/,
      ],
      [
        JSON.stringify({ current: 'a.b', keys: { 'a.b': randomBytes(32).toString('base64') } }),
        /letters, digits/,
      ],
    ];
    for (const [text, reason] of cases) {
      await writeFile(file, text, { mode: 0o600 });
      await assert.rejects(loadOrCreateDataKeys(dataDir, file), (err: unknown) => {
        assert.match((err as Error).message, reason);
        assert.equal((err as Error).message.includes(short), false);
        return true;
      });
    }
    assert.match(await readFile(file, 'utf8'), /a\.b/);
  });

  it('takes the file from ENLACE_DATA_KEYS_FILE as an absolute path', () => {
    const { config } = loadConfig({ ENLACE_DATA_KEYS_FILE: 'secrets/kek.json' });
    assert.equal(config.dataKeysFile, join(process.cwd(), 'secrets/kek.json'));
    assert.equal(loadConfig({}).config.dataKeysFile, undefined);
  });
});
