import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { registerWitness } from '../../../src/audit/ledger/index.js';
import {
  generateCosignerKey,
  parseSignerKey,
  parseVerifierKey,
} from '../../../src/audit/note/index.js';
import { witnessOnce } from '../../../src/audit/witness/index.js';
import { listenLocal } from '../../support/test-app.js';
import { verifyExport } from '../../../src/audit/verify-export/index.js';
import { PSEUDONYM_SYSTEM } from '../../../src/kernel/index.js';
import { auditSubtype, auditType, buildAuditEvent } from '../../../src/audit/index.js';
import { testEngines } from '../../support/test-database.js';
import { startLedgerHarness, type LedgerHarness } from './ledger-harness.js';

const MAIN = resolve(fileURLToPath(import.meta.url), '../../../../src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

/** `enlace audit verify` in a child process with nothing but the files: no server, database or configuration. */
function verifyInChild(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX, MAIN, 'audit', 'verify', ...args, '--json'],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd } },
      (error, stdout) => {
        done({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
          stdout,
        });
      },
    );
  });
}

interface Manifest {
  readonly output: readonly { readonly url: string; readonly count: number }[];
  readonly link: readonly { readonly url: string }[];
}

for (const engine of testEngines()) {
  describe(`auditors' asynchronous AuditEvent export (${engine.name})`, function () {
    this.timeout(60_000);
    let h: LedgerHarness;
    let downloads: string;

    beforeEach(async () => {
      h = await startLedgerHarness(engine);
      downloads = await mkdtemp(join(tmpdir(), 'enlace-export-'));
      await h.append(12);
      await h.ledger.checkpoint();
    });
    afterEach(async () => {
      await rm(downloads, { recursive: true, force: true });
      await h.dispose();
    });

    const kickOff = (query = '') =>
      request(h.app)
        .post(`/fhir/AuditEvent/$export${query}`)
        .set('Authorization', 'Bearer auditor')
        .set('Prefer', 'respond-async');

    /** Polls the status URL as a Bulk Data client does, until the manifest arrives. */
    async function completed(location: string): Promise<Manifest> {
      const path = new URL(location).pathname.replace(/^\/base/, '');
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const res = await request(h.app).get(path).set('Authorization', 'Bearer auditor');
        if (res.status === 200) return res.body as Manifest;
        assert.equal(res.status, 202, res.text);
        assert.ok(res.get('Retry-After') !== undefined && res.get('X-Progress') !== undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the export never completed');
    }

    async function download(manifest: Manifest, into = downloads): Promise<string> {
      for (const link of manifest.link) {
        const path = new URL(link.url).pathname.replace(/^\/base/, '');
        const res = await request(h.app)
          .get(path)
          .set('Authorization', 'Bearer auditor')
          .buffer(true)
          .parse((response, callback) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
            });
            response.on('end', () => {
              callback(null, Buffer.concat(chunks));
            });
          });
        if (res.status === 404) continue; // A complete export has no proofs file, a filtered one no leaf hashes.
        assert.equal(res.status, 200);
        await writeFile(join(into, path.split('/').pop() ?? ''), res.body as Buffer);
      }
      return into;
    }

    it('exports the whole log with its checkpoint, which the offline verifier accepts', async () => {
      const res = await kickOff().expect(202);
      const manifest = await completed(res.get('Content-Location') ?? '');
      assert.ok(
        (manifest.output[0]?.count ?? 0) >= 13,
        'every entry, the kick-off record included',
      );
      const dir = await download(manifest);
      assert.ok((await readdir(dir)).includes('manifest.json'));
      const result = await verifyExport(dir, {
        logKey: parseVerifierKey(h.ledger.logKey.verifierKey),
      });
      assert.equal(result.ok, true, JSON.stringify(result));
    });

    it('exports through the API what the command line verifies offline, against a kept checkpoint and a witness', async () => {
      const witness = generateCosignerKey('oversight.example.org/witness');
      await registerWitness(h.store.db, witness.verifierKey, new Date());
      await h.ledger.checkpoint();
      const local = await listenLocal(h.app);
      let kept: string;
      try {
        await witnessOnce({
          gateway: local.url,
          logKey: parseVerifierKey(h.ledger.logKey.verifierKey),
          witnessKey: parseSignerKey(witness.signerKey),
          statePath: join(downloads, 'witness-state.json'),
          fetch,
          now: () => new Date(),
        });
        // The auditor keeps the cosigned checkpoint; more entries follow before the export.
        kept = (await request(h.app).get('/audit/checkpoint').expect(200)).text;
      } finally {
        await local.close();
      }
      await h.append(3);
      const res = await kickOff().expect(202);
      const dir = join(downloads, 'export');
      await import('node:fs/promises').then((fs) => fs.mkdir(dir));
      const manifest = await completed(res.get('Content-Location') ?? '');
      await download(manifest, dir);
      await writeFile(join(downloads, 'log.pub'), `${h.ledger.logKey.verifierKey}\n`);
      await writeFile(join(downloads, 'witness.pub'), `${witness.verifierKey}\n`);
      await writeFile(join(downloads, 'kept.txt'), kept);
      const cwd = await mkdtemp(join(tmpdir(), 'enlace-verify-cwd-'));
      try {
        const ok = await verifyInChild(
          [
            dir,
            '--log-key',
            join(downloads, 'log.pub'),
            '--checkpoint',
            join(downloads, 'kept.txt'),
            '--witness-key',
            join(downloads, 'witness.pub'),
          ],
          cwd,
        );
        assert.equal(ok.code, 0, ok.stdout);
        const result = JSON.parse(ok.stdout) as {
          ok: boolean;
          earlier?: { ok: boolean };
          witnesses: { ok: boolean; size?: number }[];
        };
        assert.equal(result.ok, true);
        assert.equal(result.earlier?.ok, true);
        // The witness vouched for the kept checkpoint, which the export extends consistently.
        assert.deepEqual(
          result.witnesses.map((w) => w.ok),
          [true],
        );
        assert.ok(typeof result.witnesses[0]?.size === 'number');
        const stranger = generateCosignerKey('stranger.example.org/witness');
        await writeFile(join(downloads, 'stranger.pub'), `${stranger.verifierKey}\n`);
        const unwitnessed = await verifyInChild(
          [
            dir,
            '--log-key',
            join(downloads, 'log.pub'),
            '--witness-key',
            join(downloads, 'stranger.pub'),
          ],
          cwd,
        );
        assert.equal(unwitnessed.code, 1);
        const entries = join(dir, 'AuditEvent.ndjson');
        const text = await import('node:fs/promises').then((fs) => fs.readFile(entries, 'utf8'));
        await writeFile(entries, text.replace('police-central', 'police-norte'));
        const tampered = await verifyInChild([dir, '--log-key', join(downloads, 'log.pub')], cwd);
        assert.equal(tampered.code, 1);
        assert.equal(
          typeof (JSON.parse(tampered.stdout) as { firstBadIndex?: number }).firstBadIndex,
          'number',
        );
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });

    it('exports one survivor’s entries with inclusion proofs, by her identifier, pseudonymised', async () => {
      const pseudonym = h.test.services.consent.pseudonymizer.current({
        system: 'urn:oid:2.16.858',
        value: '1.234.567-8',
      }).value;
      await h.store.audit.append(
        buildAuditEvent({
          type: auditType.rest,
          subtype: auditSubtype.read,
          action: 'R',
          outcome: '0',
          recorded: new Date(),
          agents: [{ reference: 'Organization/casa-refugio' }],
          entities: [{ identifier: { system: PSEUDONYM_SYSTEM, value: pseudonym } }],
        }),
      );
      const res = await kickOff(
        `?patient:identifier=${encodeURIComponent('urn:oid:2.16.858|1.234.567-8')}`,
      ).expect(202);
      const manifest = await completed(res.get('Content-Location') ?? '');
      // Hers, and the kick-off's own record, which names her by pseudonym.
      assert.equal(manifest.output[0]?.count, 2);
      const dir = await download(manifest);
      const result = await verifyExport(dir, {
        logKey: parseVerifierKey(h.ledger.logKey.verifierKey),
      });
      assert.equal(result.ok, true, JSON.stringify(result));
      const stored = await h.store.db
        .selectFrom('audit_export')
        .selectAll()
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(JSON.stringify(stored), /1\.234\.567/, 'her identifier was stored');
      assert.doesNotMatch(
        JSON.stringify(manifest),
        /1\.234\.567/,
        'her identifier is in the manifest',
      );
    });

    it('refuses without respond-async, with unknown parameters, and to anyone but an auditor', async () => {
      await request(h.app)
        .post('/fhir/AuditEvent/$export')
        .set('Authorization', 'Bearer auditor')
        .expect(400);
      await kickOff('?_since=yesterday').expect(400);
      await kickOff('?_type=Task').expect(400);
      await kickOff('?nonsense=1').expect(400);
      await request(h.app)
        .post('/fhir/AuditEvent/$export')
        .set('Authorization', 'Bearer operator')
        .set('Prefer', 'respond-async')
        .expect(403);
      await request(h.app)
        .get('/audit/exports/nope')
        .set('Authorization', 'Bearer auditor')
        .expect(404);
    });

    it('cancels and deletes an export on DELETE, and records each auditor call', async () => {
      const res = await kickOff().expect(202);
      const location = new URL(res.get('Content-Location') ?? '').pathname.replace(/^\/base/, '');
      await completed(res.get('Content-Location') ?? '');
      const before = await h.store.audit.count();
      await request(h.app).delete(location).set('Authorization', 'Bearer auditor').expect(202);
      await request(h.app).get(location).set('Authorization', 'Bearer auditor').expect(404);
      const events = (await h.store.audit.list({ afterSeq: before })).map((record) => record.event);
      assert.deepEqual(
        events.map((event) => event.outcome),
        ['0', '4'],
      );
      assert.ok(events.every((event) => event.agent[0]?.who?.identifier?.value === 'marta'));
    });
  });
}
