import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPseudonymizer } from '../../../src/consent/pseudonym/create-pseudonymizer.js';
import { loadOrCreatePseudonymKeys } from '../../../src/consent/pseudonym/load-pseudonym-keys.js';
import { normaliseIdentifier } from '../../../src/consent/pseudonym/normalise-identifier.js';
import { parsePseudonymKeySet } from '../../../src/consent/pseudonym/pseudonym-keys.js';
import { isGatewayError } from '../../../src/kernel/index.js';

const CEDULA = 'https://registro.example.org/fhir/NamingSystem/cedula';
const key = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
const unidentifiable = (err: unknown): boolean =>
  isGatewayError(err) && err.code === 'ENLACE_SURVIVOR_UNIDENTIFIABLE' && err.status === 400;

describe('survivor pseudonyms', () => {
  const pseudonymizer = createPseudonymizer({ current: 'k1', keys: { k1: key(7) } });

  it('matches a known answer computed independently over the normalised identifier', () => {
    const expected = createHmac('sha256', key(7))
      .update(`${CEDULA}|12345678`, 'utf8')
      .digest('base64url');
    const pseudonym = pseudonymizer.current({ system: CEDULA, value: '1.234.567-8' });
    assert.deepEqual(pseudonym, { keyId: 'k1', value: `k1.${expected}` });
  });

  it('gives the same pseudonym to one identifier submitted by two institutions', () => {
    const police = createPseudonymizer({ current: 'k1', keys: { k1: key(7) } });
    const shelter = createPseudonymizer({ current: 'k1', keys: { k1: key(7) } });
    const id = { system: CEDULA, value: '12345678' };
    assert.equal(police.current(id).value, shelter.current(id).value);
  });

  it('treats separators, case, spacing and full-width digits as the same identifier', () => {
    const variants = ['1.234.567-8', ' 12345678 ', '1 234 567/8', '１２３４５６７８', '12.345.678'];
    const values = variants.map((value) => pseudonymizer.current({ system: CEDULA, value }).value);
    assert.equal(new Set(values).size, 1);
    assert.equal(
      pseudonymizer.current({ system: CEDULA, value: 'ab-12' }).value,
      pseudonymizer.current({ system: CEDULA, value: 'AB12' }).value,
    );
  });

  it('normalises to system|VALUE, keeping the system case-sensitive', () => {
    assert.equal(
      normaliseIdentifier({ system: ` ${CEDULA} `, value: ' ab.12-3/4 x ' }),
      `${CEDULA}|AB1234X`,
    );
    assert.equal(
      normaliseIdentifier({ system: 'urn:oid:2.16.858', value: '1' }),
      'urn:oid:2.16.858|1',
    );
  });

  it('gives different pseudonyms to the same value in different systems', () => {
    const a = pseudonymizer.current({ system: CEDULA, value: '12345678' });
    const b = pseudonymizer.current({ system: 'urn:oid:2.16.858.0.1', value: '12345678' });
    const c = pseudonymizer.current({ system: CEDULA.toUpperCase(), value: '12345678' });
    assert.notEqual(a.value, b.value);
    assert.notEqual(a.value, c.value);
  });

  it('refuses empty, separator-only and oversized values without repeating them', () => {
    for (const value of ['', '   ', '.-/ ', 'x'.repeat(257)]) {
      assert.throws(
        () => pseudonymizer.current({ system: CEDULA, value }),
        (err: unknown) => {
          assert.ok(unidentifiable(err));
          assert.ok(!(err as Error).message.includes(value.trim() || '\u0000'));
          return true;
        },
      );
    }
    assert.doesNotThrow(() => pseudonymizer.current({ system: CEDULA, value: '9'.repeat(256) }));
  });

  it('refuses systems that are not absolute URIs', () => {
    for (const system of [
      '',
      'cedula',
      '/local/ids',
      'has space:x',
      `https://${'a'.repeat(256)}`,
    ]) {
      assert.throws(() => pseudonymizer.current({ system, value: '123' }), unidentifiable);
    }
  });

  describe('key rotation', () => {
    const before = createPseudonymizer({ current: 'k1', keys: { k1: key(1) } });
    const after = createPseudonymizer({ current: 'k2', keys: { k1: key(1), k2: key(2) } });
    const id = { system: CEDULA, value: '12345678' };

    it('makes new pseudonyms with the current key', () => {
      assert.equal(after.current(id).keyId, 'k2');
      assert.notEqual(after.current(id).value, before.current(id).value);
    });

    it('still finds a pseudonym made before the rotation, current key first', () => {
      const all = after.all(id);
      assert.deepEqual(
        all.map((p) => p.keyId),
        ['k2', 'k1'],
      );
      assert.equal(all[1]?.value, before.current(id).value);
    });
  });

  it('refuses key sets with short keys, bad ids or a missing current key', () => {
    assert.throws(() => createPseudonymizer({ current: 'k1', keys: { k1: new Uint8Array(31) } }));
    assert.throws(() => createPseudonymizer({ current: 'k.1', keys: { 'k.1': key(1) } }));
    assert.throws(() => createPseudonymizer({ current: 'k2', keys: { k1: key(1) } }));
    assert.throws(() => createPseudonymizer({ current: 'k1', keys: {} }));
  });

  describe('key file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'enlace-pseudonym-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('generates one owner-only key on first use and reads the same key afterwards', async () => {
      const first = await loadOrCreatePseudonymKeys(dir);
      const path = join(dir, 'keys', 'pseudonym-keys.json');
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.equal(first.current, 'k1');
      assert.equal(first.keys.k1?.length, 32);
      const again = await loadOrCreatePseudonymKeys(dir);
      assert.deepEqual(again, first);
    });

    it('reads a configured file with several keys', async () => {
      const path = join(dir, 'keys.json');
      const text = JSON.stringify({
        current: 'k2',
        keys: {
          k1: Buffer.from(key(1)).toString('base64'),
          k2: Buffer.from(key(2)).toString('base64'),
        },
      });
      await writeFile(path, text, { mode: 0o600 });
      const keySet = await loadOrCreatePseudonymKeys(dir, path);
      assert.equal(keySet.current, 'k2');
      assert.deepEqual(Object.keys(keySet.keys).sort(), ['k1', 'k2']);
    });

    it('refuses a configured file others can read', async () => {
      const path = join(dir, 'keys.json');
      await writeFile(path, '{}', { mode: 0o644 });
      await assert.rejects(loadOrCreatePseudonymKeys(dir, path), /readable by group or others/);
    });

    it('refuses a malformed file without quoting any key', async () => {
      const path = join(dir, 'keys.json');
      const short = Buffer.from(new Uint8Array(16).fill(9)).toString('base64');
      await writeFile(path, JSON.stringify({ current: 'k1', keys: { k1: short } }), {
        mode: 0o600,
      });
      await assert.rejects(loadOrCreatePseudonymKeys(dir, path), (err: unknown) => {
        assert.match((err as Error).message, /at least 32 random bytes/);
        assert.ok(!(err as Error).message.includes(short));
        return true;
      });
      assert.ok((await readFile(path, 'utf8')).includes(short));
    });

    it('names what is wrong with the JSON', () => {
      assert.throws(() => parsePseudonymKeySet('not json'), /not valid JSON/);
      assert.throws(() => parsePseudonymKeySet('{"keys":{}}'), /must be \{"current"/);
      assert.throws(() => parsePseudonymKeySet('{"current":"k1","keys":{"k1":"!!"}}'), /base64/);
    });
  });
});
