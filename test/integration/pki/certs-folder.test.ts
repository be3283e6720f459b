// The certs folder: its anchors/ and crls/ are loaded as external anchors and CRLs, using the committed public test PKI.
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/index.js';
import { isGatewayError } from '../../../src/kernel/index.js';
import { x509 } from '../../../src/pki/x509.js';
import { refusedChain } from './chain-assertions.js';
import { createPkiFixture, type PkiFixture } from './pki-fixture.js';

/** certs/test: public-only anchors, CRLs and certificates (scripts/certs/make-test-anchors.ts). */
const TEST_CERTS = fileURLToPath(new URL('../../../certs/test', import.meta.url));
const ROOT_PEM = join(TEST_CERTS, 'anchors', 'enlace-test-national-root.pem');
const AT = new Date('2026-06-01T12:00:00Z');

async function x5cOf(...names: string[]): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  return Promise.all(
    names.map(async (name) => {
      const pem = await readFile(join(TEST_CERTS, 'certificates', `${name}.cert.pem`), 'utf8');
      return Buffer.from(new x509.X509Certificate(pem).rawData).toString('base64');
    }),
  );
}

const refusedAtStart = (pattern: RegExp) => (error: unknown) => {
  assert.ok(isGatewayError(error), String(error));
  assert.equal(error.code, 'ENLACE_PKI_MATERIAL_INVALID');
  assert.match(error.message, pattern);
  return true;
};

describe('the certs folder', function () {
  let fixture: PkiFixture;

  beforeEach(async function () {
    fixture = await createPkiFixture();
  });
  afterEach(async function () {
    await fixture.dispose();
  });

  it("trusts the committed test national root beside the gateway's own CA", async function () {
    const pki = await fixture.loadAnother({ certsDir: TEST_CERTS });
    assert.deepEqual(
      pki.anchors.map((anchor) => anchor.source),
      ['gateway', 'external'],
    );
    assert.match(pki.anchors[1]?.subject ?? '', /CN=Enlace Test National Root CA/);
    const chain = await pki.validateCertificateChain(
      await x5cOf('hospital-de-prueba', 'enlace-test-regional-ca'),
      AT,
    );
    assert.equal(chain.anchor.source, 'external');
    assert.equal(chain.subject, 'CN=hospital-de-prueba');
  });

  it("refuses a certificate that the regional CA's CRL in crls/ revokes", async function () {
    const pki = await fixture.loadAnother({ certsDir: TEST_CERTS });
    await assert.rejects(
      pki.validateCertificateChain(
        await x5cOf('comisaria-revocada', 'enlace-test-regional-ca'),
        AT,
      ),
      refusedChain(/revoked by CRL .*enlace-test-regional-ca\.crl/),
    );
  });

  it('refuses a chain to the test root when no certs folder is configured', async function () {
    const pki = await fixture.loadAnother({ certsDir: undefined });
    assert.deepEqual(
      pki.anchors.map((anchor) => anchor.source),
      ['gateway'],
    );
    await assert.rejects(
      pki.validateCertificateChain(
        await x5cOf('hospital-de-prueba', 'enlace-test-regional-ca'),
        AT,
      ),
      refusedChain(/./),
    );
  });

  it('counts an anchor once when the bundle file and the folder both hold it', async function () {
    const pki = await fixture.loadAnother({ certsDir: TEST_CERTS, trustAnchorsFile: ROOT_PEM });
    assert.deepEqual(
      pki.anchors.map((anchor) => anchor.source),
      ['gateway', 'external'],
    );
  });

  it('loads nothing from a folder without anchors/ or crls/, as in a fresh clone', async function () {
    const empty = join(fixture.dataDir, 'certs');
    await mkdir(empty);
    await writeFile(join(empty, 'README.md'), 'not read\n');
    const pki = await fixture.loadAnother({ certsDir: empty });
    assert.deepEqual(
      pki.anchors.map((anchor) => anchor.source),
      ['gateway'],
    );
    const missing = await fixture.loadAnother({ certsDir: join(fixture.dataDir, 'nowhere') });
    assert.equal(missing.anchors.length, 1);
  });

  it('refuses at start a file it would otherwise ignore, and says what the folder holds', async function () {
    const dir = join(fixture.dataDir, 'certs');
    await mkdir(join(dir, 'anchors'), { recursive: true });
    await writeFile(join(dir, 'anchors', '.gitkeep'), '');
    await copyFile(ROOT_PEM, join(dir, 'anchors', 'national-root.cer'));
    await assert.rejects(
      fixture.loadAnother({ certsDir: dir }),
      refusedAtStart(
        /national-root\.cer is not allowed in .*anchors, which holds only CA certificates in PEM \(\*\.pem\)/,
      ),
    );
  });

  it('refuses at start an anchors file that is not a CA certificate', async function () {
    const dir = join(fixture.dataDir, 'certs');
    await mkdir(join(dir, 'anchors'), { recursive: true });
    await copyFile(
      join(TEST_CERTS, 'certificates', 'hospital-de-prueba.cert.pem'),
      join(dir, 'anchors', 'hospital.pem'),
    );
    await assert.rejects(
      fixture.loadAnother({ certsDir: dir }),
      refusedAtStart(/is not a CA certificate/),
    );
  });

  it('is ./certs of the working directory by default in development, so npm start reads it', function () {
    const { config } = loadConfig({ ENLACE_DATA_DIR: fixture.dataDir });
    assert.equal(config.certsDir, join(process.cwd(), 'certs'));
  });
});
