// Creating a network's CA: key files private to the owner, proper CA certificates, no silent overwrite.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGatewayError } from '../../../src/kernel/index.js';
import { initNetworkPki, loadPki } from '../../../src/pki/index.js';
import { x509 } from '../../../src/pki/x509.js';
import { openStore } from '../../../src/store/index.js';
import { createTestClock, START } from './pki-fixture.js';

describe('initNetworkPki', function () {
  let dataDir = '';
  const { clock } = createTestClock();

  beforeEach(async function () {
    dataDir = await mkdtemp(join(tmpdir(), 'enlace-pki-init-'));
  });

  afterEach(async function () {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the CA keys and certificates under <dataDir>/pki with mode 0600 in a 0700 folder', async function () {
    const { dir } = await initNetworkPki({ dataDir, networkName: 'Red Enlace', clock });
    assert.equal(dir, join(dataDir, 'pki'));
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const file of [
      'root-ca.key.pem',
      'root-ca.cert.pem',
      'issuing-ca.key.pem',
      'issuing-ca.cert.pem',
    ]) {
      assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600, file);
    }
    assert.match(await readFile(join(dir, 'issuing-ca.key.pem'), 'utf8'), /BEGIN PRIVATE KEY/);
  });

  it('creates a P-384 root for 10 years and a P-256 issuing CA for 5 years with pathLen 0', async function () {
    const { rootCertPem, issuingCertPem } = await initNetworkPki({
      dataDir,
      networkName: 'Red Enlace',
      clock,
    });
    const root = new x509.X509Certificate(rootCertPem);
    const issuing = new x509.X509Certificate(issuingCertPem);
    assert.deepEqual(root.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-384' });
    assert.deepEqual(issuing.publicKey.algorithm, { name: 'ECDSA', namedCurve: 'P-256' });
    assert.equal(root.notBefore.getTime(), START.getTime());
    assert.equal(root.notAfter.toISOString(), '2036-03-02T10:00:00.000Z');
    assert.equal(issuing.notAfter.toISOString(), '2031-03-02T10:00:00.000Z');

    const rootBasic = root.getExtension(x509.BasicConstraintsExtension);
    const issuingBasic = issuing.getExtension(x509.BasicConstraintsExtension);
    assert.equal(rootBasic?.ca, true);
    assert.equal(rootBasic.critical, true);
    assert.equal(issuingBasic?.ca, true);
    assert.equal(issuingBasic.critical, true);
    assert.equal(issuingBasic.pathLength, 0);
    for (const certificate of [root, issuing]) {
      const usage = certificate.getExtension(x509.KeyUsagesExtension);
      assert.equal(usage?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      assert.equal(usage.critical, true);
    }
    const rootSki = root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    assert.ok(rootSki !== undefined);
    assert.equal(issuing.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, rootSki);
    assert.ok(issuing.getExtension(x509.SubjectKeyIdentifierExtension));

    const nodeIssuing = new X509Certificate(issuingCertPem);
    assert.equal(nodeIssuing.ca, true);
    assert.ok(nodeIssuing.checkIssued(new X509Certificate(rootCertPem)));
    assert.ok(nodeIssuing.verify(new X509Certificate(rootCertPem).publicKey));
    assert.match(nodeIssuing.subject, /CN=Red Enlace Issuing CA/);
  });

  it('refuses to overwrite an existing CA unless forced', async function () {
    const first = await initNetworkPki({ dataDir, networkName: 'Red Enlace', clock });
    await assert.rejects(initNetworkPki({ dataDir, networkName: 'Red Enlace', clock }), (error) => {
      assert.ok(isGatewayError(error));
      assert.equal(error.code, 'ENLACE_PKI_ALREADY_INITIALIZED');
      return true;
    });
    assert.equal(
      await readFile(join(dataDir, 'pki', 'root-ca.cert.pem'), 'utf8'),
      `${first.rootCertPem}\n`,
    );

    const second = await initNetworkPki({ dataDir, networkName: 'Red Enlace', clock, force: true });
    assert.notEqual(second.rootCertPem, first.rootCertPem);
    assert.equal((await stat(join(dataDir, 'pki', 'root-ca.key.pem'))).mode & 0o777, 0o600);
  });

  it('refuses a network name that would not fit a subject', async function () {
    await assert.rejects(
      initNetworkPki({ dataDir, networkName: 'x'.repeat(49), clock }),
      (error) => isGatewayError(error) && error.code === 'ENLACE_INVALID_PARAMETER',
    );
    await assert.rejects(
      initNetworkPki({ dataDir, networkName: 'Red\nEnlace', clock }),
      (error) => isGatewayError(error) && error.code === 'ENLACE_INVALID_PARAMETER',
    );
  });

  it('refuses to load an issuing key that group or others can read', async function () {
    await initNetworkPki({ dataDir, networkName: 'Red Enlace', clock });
    await chmod(join(dataDir, 'pki', 'issuing-ca.key.pem'), 0o644);
    const store = await openStore({ dataDir });
    try {
      await assert.rejects(loadPki({ dataDir, store, clock }), (error) => {
        assert.ok(isGatewayError(error));
        assert.equal(error.code, 'ENLACE_PKI_MATERIAL_INVALID');
        assert.equal(error.expose, false);
        return true;
      });
    } finally {
      await store.close();
    }
  });

  it('loads without the root private key, which may be kept offline', async function () {
    await initNetworkPki({ dataDir, networkName: 'Red Enlace', clock });
    await rm(join(dataDir, 'pki', 'root-ca.key.pem'));
    const store = await openStore({ dataDir });
    try {
      const pki = await loadPki({ dataDir, store, clock });
      assert.equal(pki.hasGatewayCa, true);
      assert.equal(pki.anchors.length, 1);
      assert.equal(pki.anchors[0]?.source, 'gateway');
    } finally {
      await store.close();
    }
  });

  it('answers without a CA of its own when pki init was never run', async function () {
    const store = await openStore({ dataDir });
    try {
      const pki = await loadPki({ dataDir, store, clock });
      assert.equal(pki.hasGatewayCa, false);
      assert.deepEqual(pki.anchors, []);
      assert.throws(
        () => pki.caChainPem(),
        (error) => {
          assert.ok(isGatewayError(error));
          assert.equal(error.code, 'ENLACE_PKI_NOT_INITIALIZED');
          return true;
        },
      );
      await assert.rejects(
        pki.buildCrl(),
        (error) => isGatewayError(error) && error.code === 'ENLACE_PKI_NOT_INITIALIZED',
      );
    } finally {
      await store.close();
    }
  });
});
