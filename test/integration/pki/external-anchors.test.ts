// External (national) trust anchors from a PEM bundle, with their CRL files, alongside the gateway's own CA.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGatewayError } from '../../../src/kernel/index.js';
import { refusedChain } from './chain-assertions.js';
import { createTestCrl, createTestRoot, issueWith } from './foreign-pki.js';
import type { TestCa } from './foreign-pki.js';
import { createCsr, createPkiFixture, DAY, operator, START, toX5c } from './pki-fixture.js';
import type { PkiFixture } from './pki-fixture.js';

const entry = (ca: TestCa): string => Buffer.from(ca.certificate.rawData).toString('base64');
const at = (days: number): Date => new Date(START.getTime() + days * DAY);

describe('external trust anchors', function () {
  let fixture: PkiFixture;
  let national: TestCa;
  let regional: TestCa;
  let bundle = '';

  beforeEach(async function () {
    fixture = await createPkiFixture();
    national = await createTestRoot('Autoridad Certificadora Nacional', START);
    regional = await issueWith(national, 'CA Regional', { notBefore: START, ca: true });
    bundle = join(fixture.dataDir, 'anchors.pem');
    // Bundles often carry comments between blocks.
    await writeFile(bundle, `# national root\n${national.certificate.toString('pem')}\n`);
  });

  afterEach(async function () {
    await fixture.dispose();
  });

  it('accepts a chain to an external anchor while the gateway CA keeps working', async function () {
    const pki = await fixture.loadAnother({ trustAnchorsFile: bundle });
    assert.deepEqual(
      pki.anchors.map((anchor) => anchor.source),
      ['gateway', 'external'],
    );
    const hospital = await issueWith(regional, 'hospital-central', { notBefore: START });
    const external = await pki.validateCertificateChain([entry(hospital), entry(regional)], at(1));
    assert.equal(external.anchor.source, 'external');
    assert.equal(
      external.partnerId,
      undefined,
      'external chains are mapped by the partner registry',
    );
    assert.equal(external.subject, 'CN=hospital-central');

    const own = await pki.issueCertificate({
      csrPem: (await createCsr('p384')).pem,
      partnerId: 'police-central',
      partnerName: 'Policía',
      validityDays: 10,
      actor: operator,
    });
    const result = await pki.validateCertificateChain([toX5c(own.pem)], at(1));
    assert.equal(result.anchor.source, 'gateway');
    assert.equal(result.partnerId, 'police-central');
  });

  it('refuses an external certificate listed in the configured CRL, PEM or DER', async function () {
    const revokedLeaf = await issueWith(regional, 'revoked', { notBefore: START });
    const goodLeaf = await issueWith(regional, 'good', { notBefore: START });
    const crl = await createTestCrl(
      regional,
      [revokedLeaf.certificate.serialNumber],
      START,
      at(30),
    );
    const pemPath = join(fixture.dataDir, 'regional.crl.pem');
    const derPath = join(fixture.dataDir, 'regional.crl');
    await writeFile(pemPath, crl.toString('pem'));
    await writeFile(derPath, Buffer.from(crl.rawData));
    for (const path of [pemPath, derPath]) {
      const pki = await fixture.loadAnother({ trustAnchorsFile: bundle, trustCrlFiles: [path] });
      await assert.rejects(
        pki.validateCertificateChain([entry(revokedLeaf), entry(regional)], at(1)),
        refusedChain(/revoked by CRL/),
      );
      await pki.validateCertificateChain([entry(goodLeaf), entry(regional)], at(1));
    }
  });

  it('fails closed when the configured CRL is stale or signed by someone else', async function () {
    const leaf = await issueWith(regional, 'leaf', { notBefore: START });
    const stale = await createTestCrl(regional, [], START, at(2));
    const stalePath = join(fixture.dataDir, 'stale.crl');
    await writeFile(stalePath, Buffer.from(stale.rawData));
    const pki = await fixture.loadAnother({ trustAnchorsFile: bundle, trustCrlFiles: [stalePath] });
    await pki.validateCertificateChain([entry(leaf), entry(regional)], at(1));
    await assert.rejects(
      pki.validateCertificateChain([entry(leaf), entry(regional)], at(3)),
      refusedChain(/stale/),
    );

    // Same issuer name, different key: an impostor's CRL must not be believed (nor ignored).
    const impostor = await createTestRoot('CA Regional', START);
    const forged = await createTestCrl(impostor, [], START, at(30));
    const forgedPath = join(fixture.dataDir, 'forged.crl');
    await writeFile(forgedPath, Buffer.from(forged.rawData));
    const fooled = await fixture.loadAnother({
      trustAnchorsFile: bundle,
      trustCrlFiles: [forgedPath],
    });
    await assert.rejects(
      fooled.validateCertificateChain([entry(leaf), entry(regional)], at(1)),
      refusedChain(/is not signed by/),
    );
  });

  it('refuses a bundle holding a non-CA certificate or no certificate at all', async function () {
    const leaf = await issueWith(national, 'leaf', { notBefore: START });
    const badBundle = join(fixture.dataDir, 'bad.pem');
    for (const content of [leaf.certificate.toString('pem'), 'no pem here\n']) {
      await writeFile(badBundle, content);
      await assert.rejects(
        fixture.loadAnother({ trustAnchorsFile: badBundle }),
        (error) => isGatewayError(error) && error.code === 'ENLACE_PKI_MATERIAL_INVALID',
      );
    }
    await assert.rejects(
      fixture.loadAnother({ trustAnchorsFile: join(fixture.dataDir, 'missing.pem') }),
      (error) => isGatewayError(error) && error.code === 'ENLACE_PKI_MATERIAL_INVALID',
    );
  });
});
