// x5c chain validation on the hot path: every link checked, the precise reason kept out of the answer.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x509 } from '../../../src/pki/x509.js';
import type { CertificateRecord } from '../../../src/pki/index.js';
import type { CryptoKeyPair } from '../../../src/pki/x509.js';
import { refusedChain } from './chain-assertions.js';
import { createTestRoot, issueWith } from './foreign-pki.js';
import type { TestCa } from './foreign-pki.js';
import { createCsr, createPkiFixture, DAY, operator, START, toX5c } from './pki-fixture.js';
import type { PkiFixture } from './pki-fixture.js';

describe('validating certificate chains', function () {
  let fixture: PkiFixture;
  let record: CertificateRecord;
  let leafKeys: CryptoKeyPair;
  let issuingPem = '';
  let rootPem = '';

  beforeEach(async function () {
    fixture = await createPkiFixture();
    const csr = await createCsr('p256');
    leafKeys = csr.keys;
    record = await fixture.pki.issueCertificate({
      csrPem: csr.pem,
      partnerId: 'police-central',
      partnerName: 'Policía Central',
      validityDays: 30,
      actor: operator,
    });
    [issuingPem = '', rootPem = ''] = fixture.pki
      .caChainPem()
      .split(/(?<=-----END CERTIFICATE-----)\n+/)
      .filter((part) => part.includes('BEGIN'));
  });

  afterEach(async function () {
    await fixture.dispose();
  });

  const at = (days: number): Date => new Date(START.getTime() + days * DAY);

  it('accepts the leaf alone, with its issuing CA, and with the root appended', async function () {
    for (const x5c of [
      [toX5c(record.pem)],
      [toX5c(record.pem), toX5c(issuingPem)],
      [toX5c(record.pem), toX5c(issuingPem), toX5c(rootPem)],
    ]) {
      const result = await fixture.pki.validateCertificateChain(x5c, at(1));
      assert.equal(result.partnerId, 'police-central');
      assert.equal(result.serial, record.serial);
      assert.equal(result.anchor.source, 'gateway');
      assert.equal(result.leaf.subject.split('\n').at(-1), 'CN=police-central');
    }
  });

  it('refuses an expired leaf and a leaf not yet valid', async function () {
    const x5c = [toX5c(record.pem)];
    await assert.rejects(
      fixture.pki.validateCertificateChain(x5c, at(31)),
      refusedChain(/expired/),
    );
    await assert.rejects(
      fixture.pki.validateCertificateChain(x5c, at(-1)),
      refusedChain(/not valid before/),
    );
    // Within the configured skew (60 s) a fresh certificate is still accepted.
    await fixture.pki.validateCertificateChain(x5c, new Date(START.getTime() - 30_000));
  });

  it('refuses a revoked certificate from the next request on, even after a cached success', async function () {
    const x5c = [toX5c(record.pem), toX5c(issuingPem)];
    await fixture.pki.validateCertificateChain(x5c, at(1));
    await fixture.pki.revokeCertificate({
      serial: record.serial,
      reason: 'keyCompromise',
      actor: operator,
    });
    await assert.rejects(fixture.pki.validateCertificateChain(x5c, at(1)), refusedChain(/revoked/));
  });

  it('refuses on another gateway instance sharing the database once one instance revoked', async function () {
    const other = await fixture.loadAnother();
    const x5c = [toX5c(record.pem)];
    await other.validateCertificateChain(x5c, at(1));
    await fixture.pki.revokeCertificate({
      serial: record.serial,
      reason: 'superseded',
      actor: operator,
    });
    await assert.rejects(other.validateCertificateChain(x5c, at(1)), refusedChain(/revoked/));
  });

  it('refuses a chain issued by a CA that is not a trust anchor', async function () {
    const foreignRoot = await createTestRoot('Foreign Root', START);
    const foreignLeaf = await issueWith(foreignRoot, 'police-central', { notBefore: START });
    const x5c = [foreignLeaf, foreignRoot].map((ca) =>
      Buffer.from(ca.certificate.rawData).toString('base64'),
    );
    await assert.rejects(
      fixture.pki.validateCertificateChain(x5c, at(1)),
      refusedChain(/does not end at a trust anchor/),
    );
  });

  it('refuses a certificate signed by a leaf (a leaf used as a CA, CVE-2026-33896)', async function () {
    const leaf: TestCa = { certificate: new x509.X509Certificate(record.pem), keys: leafKeys };
    // The real, valid partner certificate signs a certificate naming another partner.
    const forged = await issueWith(leaf, 'shelter-norte', {
      notBefore: START,
      uri: 'https://enlace.example.org/fhir/Organization/shelter-norte',
    });
    const x5c = [
      Buffer.from(forged.certificate.rawData).toString('base64'),
      toX5c(record.pem),
      toX5c(issuingPem),
    ];
    await assert.rejects(
      fixture.pki.validateCertificateChain(x5c, at(1)),
      refusedChain(/signed a certificate but is not a CA/),
    );
  });

  it('refuses a leaf that is a CA', async function () {
    await assert.rejects(
      fixture.pki.validateCertificateChain([toX5c(issuingPem)], at(1)),
      refusedChain(/is a CA certificate/),
    );
    await assert.rejects(
      fixture.pki.validateCertificateChain([toX5c(rootPem)], at(1)),
      refusedChain(/leaf is itself a trust anchor/),
    );
  });

  it('refuses more than five x5c entries', async function () {
    const x5c = [toX5c(record.pem), ...Array.from({ length: 5 }, () => toX5c(issuingPem))];
    await assert.rejects(
      fixture.pki.validateCertificateChain(x5c, at(1)),
      refusedChain(/more than 5/),
    );
  });

  it('refuses garbage: not base64, not DER, oversized, empty, wrong types', async function () {
    const garbage: unknown[] = [
      ['!!!not base64!!!'],
      ['AAAA'],
      [toX5c(record.pem).slice(0, -1)],
      [`${toX5c(record.pem)}AAAA`],
      ['A'.repeat(8196)],
      [''],
      [],
      [42],
      'MIIB',
      null,
    ];
    for (const x5c of garbage) {
      await assert.rejects(
        fixture.pki.validateCertificateChain(x5c as string[], at(1)),
        refusedChain(/./),
      );
    }
  });

  it('refuses a chain whose certificates follow the root', async function () {
    await assert.rejects(
      fixture.pki.validateCertificateChain(
        [toX5c(record.pem), toX5c(issuingPem), toX5c(rootPem), toX5c(issuingPem)],
        at(1),
      ),
      refusedChain(/follow the trust anchor/),
    );
  });

  it('refuses a leaf without the clientAuth purpose or the digitalSignature usage', async function () {
    // A test anchor stands in for a national CA so the leaves can be shaped freely.
    const national = await createTestRoot('National Root', START);
    const bundle = join(fixture.dataDir, 'national.pem');
    await writeFile(bundle, national.certificate.toString('pem'));
    const pki = await fixture.loadAnother({ trustAnchorsFile: bundle });
    const toEntry = (ca: TestCa): string[] => [
      Buffer.from(ca.certificate.rawData).toString('base64'),
    ];

    // No extendedKeyUsage at all: any purpose, clientAuth included.
    const anyPurpose = await issueWith(national, 'any', { notBefore: START, extendedKeyUsage: [] });
    await pki.validateCertificateChain(toEntry(anyPurpose), at(1));

    const serverOnly = await issueWith(national, 'server', {
      notBefore: START,
      extendedKeyUsage: [x509.ExtendedKeyUsage.serverAuth],
    });
    await assert.rejects(
      pki.validateCertificateChain(toEntry(serverOnly), at(1)),
      refusedChain(/not certified for client authentication/),
    );
    const encipherOnly = await issueWith(national, 'encipher', {
      notBefore: START,
      keyUsage: x509.KeyUsageFlags.keyEncipherment,
    });
    await assert.rejects(
      pki.validateCertificateChain(toEntry(encipherOnly), at(1)),
      refusedChain(/digitalSignature/),
    );
  });

  it('refuses a path longer than a CA allows (pathLen)', async function () {
    const national = await createTestRoot('National Root', START, 0);
    const bundle = join(fixture.dataDir, 'national.pem');
    await writeFile(bundle, national.certificate.toString('pem'));
    const pki = await fixture.loadAnother({ trustAnchorsFile: bundle });
    const intermediate = await issueWith(national, 'Regional CA', { notBefore: START, ca: true });
    const leaf = await issueWith(intermediate, 'hospital', { notBefore: START });
    await assert.rejects(
      pki.validateCertificateChain(
        [leaf, intermediate].map((ca) => Buffer.from(ca.certificate.rawData).toString('base64')),
        at(1),
      ),
      refusedChain(/allows 0 CAs below it/),
    );
  });
});
