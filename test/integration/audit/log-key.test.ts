import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_KEY_FILE, loadOrCreateLogKey } from '../../../src/audit/ledger/index.js';

describe('the audit log key', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-log-key-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is created once, readable by its owner only, and named after the origin', async () => {
    const created = await loadOrCreateLogKey(dataDir, 'gw.example.org/audit-log');
    assert.equal(created.signer.name, 'gw.example.org/audit-log');
    assert.equal((await stat(join(dataDir, 'keys', LOG_KEY_FILE))).mode & 0o777, 0o600);
    const again = await loadOrCreateLogKey(dataDir, 'gw.example.org/audit-log');
    assert.equal(again.verifierKey, created.verifierKey);
  });

  it('keeps the origin it was created with when none is configured (the default follows the port)', async () => {
    const created = await loadOrCreateLogKey(dataDir, '127.0.0.1:8080/audit-log', false);
    const moved = await loadOrCreateLogKey(dataDir, '127.0.0.1:8081/audit-log', false);
    assert.equal(moved.signer.name, '127.0.0.1:8080/audit-log');
    assert.equal(moved.verifierKey, created.verifierKey);
  });

  it('refuses a configured origin other than the one the log was created with', async () => {
    await loadOrCreateLogKey(dataDir, 'gw.example.org/audit-log');
    await assert.rejects(
      loadOrCreateLogKey(dataDir, 'other.example.org/audit-log', true),
      /is named gw\.example\.org\/audit-log but ENLACE_AUDIT_LOG_ORIGIN is other\.example\.org\/audit-log/,
    );
  });
});
