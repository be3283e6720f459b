import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkGatewayKeyFiles, loadOrCreateGatewayKeys } from '../../../src/crypto/index.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe('the gateway keys', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-keys-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('creates the keys on first start with owner-only files, and reloads the same keys after', async () => {
    const first = await loadOrCreateGatewayKeys(dataDir);
    const info = await stat(join(dataDir, 'keys', 'gateway-signing-es256.jwk.json'));
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal((await stat(join(dataDir, 'keys'))).mode & 0o777, 0o700);
    const second = await loadOrCreateGatewayKeys(dataDir);
    assert.equal(second.signing.kid, first.signing.kid);
    assert.deepEqual(
      second.encryption.map((key) => key.publicJwk.crv),
      ['P-256', 'X25519'],
    );
  });

  it('never puts a private member in a public JWK', async () => {
    const keys = await loadOrCreateGatewayKeys(dataDir);
    for (const key of [keys.signing, ...keys.encryption]) {
      for (const member of PRIVATE_MEMBERS) assert.equal(member in key.publicJwk, false, member);
    }
  });

  it('refuses to load a key file others can read', async () => {
    await loadOrCreateGatewayKeys(dataDir);
    await chmod(join(dataDir, 'keys', 'gateway-enc-p256.jwk.json'), 0o644);
    await assert.rejects(loadOrCreateGatewayKeys(dataDir), /readable by group or others/);
  });

  it('reports readiness failures for an opened-up or missing key file', async () => {
    await loadOrCreateGatewayKeys(dataDir);
    assert.deepEqual(await checkGatewayKeyFiles(dataDir), { ok: true });
    await chmod(join(dataDir, 'keys', 'gateway-signing-es256.jwk.json'), 0o640);
    assert.deepEqual(await checkGatewayKeyFiles(dataDir), {
      ok: false,
      detail: 'gateway-signing-es256.jwk.json is readable by group or others; run chmod 600 on it',
    });
    await unlink(join(dataDir, 'keys', 'gateway-signing-es256.jwk.json'));
    assert.deepEqual(await checkGatewayKeyFiles(dataDir), {
      ok: false,
      detail: 'gateway-signing-es256.jwk.json is missing',
    });
  });
});
