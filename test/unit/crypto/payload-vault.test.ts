import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createPayloadVault, type DataKeySet } from '../../../src/crypto/index.js';
import { GatewayError } from '../../../src/kernel/index.js';
import { decodeHeader, flipFirst } from './crypto-fixtures.js';

const SENTENCE = 'Ella vive en la calle Los Almendros 42 y teme que él vuelva esta noche.';
const RECORD = 'referral/7f3c2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6';

const keySet = (current: string, ...ids: string[]): DataKeySet => ({
  current,
  keks: ids.map((id) => ({ id, key: new Uint8Array(randomBytes(32)) })),
});

const assertUnreadable = async (promise: Promise<unknown>): Promise<void> => {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'ENLACE_SEALED_RECORD_UNREADABLE');
    assert.equal(err.status, 500);
    assert.equal(err.expose, false);
    return true;
  });
};

describe('createPayloadVault', () => {
  it('opens what it sealed, under the current key', async () => {
    const vault = await createPayloadVault(keySet('kek-2026', 'kek-2026'));
    const sealed = await vault.seal(SENTENCE, RECORD);
    assert.equal(sealed.keyId, 'kek-2026');
    assert.equal(new TextDecoder().decode(await vault.open(sealed.blob, RECORD)), SENTENCE);
  });

  it('writes a standard compact JWE: A256KW-wrapped data key, A256GCM, kid = KEK id', async () => {
    const vault = await createPayloadVault(keySet('kek-2026', 'kek-2026'));
    const { blob } = await vault.seal(SENTENCE, RECORD);
    const parts = blob.split('.');
    assert.equal(parts.length, 5);
    const header = decodeHeader(parts[0]);
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'ctx', 'enc', 'kid']);
    assert.equal(header.alg, 'A256KW');
    assert.equal(header.enc, 'A256GCM');
    assert.equal(header.kid, 'kek-2026');
    assert.equal(Buffer.from(parts[1] ?? '', 'base64url').length, 40, 'a wrapped 256-bit data key');
    assert.equal(Buffer.from(parts[2] ?? '', 'base64url').length, 12, 'a 96-bit IV');
  });

  it('never lets the sealed blob contain the sentence, plain or base64url', async () => {
    const vault = await createPayloadVault(keySet('k', 'k'));
    const { blob } = await vault.seal(SENTENCE, RECORD);
    assert.equal(blob.includes(SENTENCE), false);
    assert.equal(blob.includes(Buffer.from(SENTENCE).toString('base64url')), false);
    for (const word of ['Almendros', 'noche']) {
      assert.equal(blob.includes(word), false);
      assert.equal(blob.includes(Buffer.from(word).toString('base64url').slice(0, 8)), false);
    }
  });

  it('uses a fresh data key and IV for every record', async () => {
    const vault = await createPayloadVault(keySet('k', 'k'));
    const first = (await vault.seal(SENTENCE, RECORD)).blob.split('.');
    const second = (await vault.seal(SENTENCE, RECORD)).blob.split('.');
    assert.notEqual(first[1], second[1], 'wrapped data keys differ');
    assert.notEqual(first[2], second[2], 'IVs differ');
    assert.notEqual(first[3], second[3], 'ciphertexts differ');
  });

  it('refuses to open a record under another record id (aad)', async () => {
    const vault = await createPayloadVault(keySet('k', 'k'));
    const { blob } = await vault.seal(SENTENCE, RECORD);
    await assertUnreadable(vault.open(blob, 'referral/another'));
    await assertUnreadable(vault.open(blob, ''));
  });

  it('refuses a blob with any part altered', async () => {
    const vault = await createPayloadVault(keySet('k', 'k'));
    const { blob } = await vault.seal(SENTENCE, RECORD);
    for (let index = 0; index < 5; index += 1) {
      const parts = blob.split('.');
      parts[index] = flipFirst(parts[index] ?? '');
      await assertUnreadable(vault.open(parts.join('.'), RECORD));
    }
    await assertUnreadable(vault.open(blob.slice(0, -2), RECORD));
    await assertUnreadable(vault.open('not a blob', RECORD));
  });

  it('refuses a blob whose header was rewritten to another record id', async () => {
    const vault = await createPayloadVault(keySet('k', 'k'));
    const { blob } = await vault.seal(SENTENCE, RECORD);
    const other = await vault.seal('x', 'referral/other');
    const parts = blob.split('.');
    parts[0] = other.blob.split('.')[0] ?? '';
    await assertUnreadable(vault.open(parts.join('.'), 'referral/other'));
  });

  it('still opens records sealed under an older KEK after a new one becomes current', async () => {
    const old = keySet('kek-2025', 'kek-2025');
    const before = await (await createPayloadVault(old)).seal(SENTENCE, RECORD);
    const rotated: DataKeySet = {
      current: 'kek-2026',
      keks: [...old.keks, { id: 'kek-2026', key: new Uint8Array(randomBytes(32)) }],
    };
    const vault = await createPayloadVault(rotated);
    assert.equal(new TextDecoder().decode(await vault.open(before.blob, RECORD)), SENTENCE);
    const after = await vault.seal(SENTENCE, RECORD);
    assert.equal(after.keyId, 'kek-2026');
    assert.equal(decodeHeader(after.blob.split('.')[0]).kid, 'kek-2026');
  });

  it('refuses a record whose KEK is unknown or whose KEK was swapped', async () => {
    const sealed = await (await createPayloadVault(keySet('a', 'a'))).seal(SENTENCE, RECORD);
    await assertUnreadable((await createPayloadVault(keySet('b', 'b'))).open(sealed.blob, RECORD));
    await assertUnreadable((await createPayloadVault(keySet('a', 'a'))).open(sealed.blob, RECORD));
  });

  it('refuses a key set without its current key or with a short key', async () => {
    await assert.rejects(createPayloadVault(keySet('missing', 'a')), /not among the keys/);
    await assert.rejects(
      createPayloadVault({ current: 'a', keks: [{ id: 'a', key: new Uint8Array(16) }] }),
      /exactly 32/,
    );
  });
});
