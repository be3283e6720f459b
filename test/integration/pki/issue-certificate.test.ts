// Issuing partner certificates from CSRs: allowed keys only, subject and SAN from the operator, audited.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { isGatewayError } from '../../../src/kernel/index.js';
import type { ErrorCode } from '../../../src/kernel/index.js';
import { PARTNER_URI_PREFIX } from '../../../src/pki/index.js';
import { x509 } from '../../../src/pki/x509.js';
import { createCsr, createPkiFixture, DAY, operator, START } from './pki-fixture.js';
import type { KeyKind, PkiFixture } from './pki-fixture.js';

const refusedWith = (code: ErrorCode, message?: RegExp) => (error: unknown) => {
  assert.ok(isGatewayError(error), String(error));
  assert.equal(error.code, code);
  if (message !== undefined) assert.match(error.message, message);
  return true;
};

describe('issuing partner certificates', function () {
  let fixture: PkiFixture;

  beforeEach(async function () {
    fixture = await createPkiFixture();
  });

  afterEach(async function () {
    await fixture.dispose();
  });

  for (const kind of ['p256', 'p384', 'rsa2048'] as const satisfies readonly KeyKind[]) {
    it(`issues a client certificate from a ${kind} CSR with the operator's subject and SAN`, async function () {
      const csr = await createCsr(kind);
      const record = await fixture.pki.issueCertificate({
        csrPem: csr.pem,
        partnerId: 'police-central',
        partnerName: 'Policía Central, Unidad + Género',
        validityDays: 365,
        actor: operator,
      });
      const certificate = new x509.X509Certificate(record.pem);
      const node = new X509Certificate(record.pem);

      // The CSR asked for CN=attacker-chosen; the subject comes from the operator only.
      assert.equal(
        node.subject,
        'O=Policía Central\\, Unidad \\+ Género\nOU=Enlace partner\nCN=police-central',
      );
      assert.equal(node.subjectAltName, `URI:${PARTNER_URI_PREFIX}police-central`);
      assert.equal(node.ca, false);
      const usage = certificate.getExtension(x509.KeyUsagesExtension);
      assert.equal(usage?.usages, x509.KeyUsageFlags.digitalSignature);
      assert.equal(usage.critical, true);
      assert.deepEqual(
        [...(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(String),
        [x509.ExtendedKeyUsage.clientAuth],
      );
      assert.equal(certificate.notBefore.getTime(), START.getTime());
      assert.equal(certificate.notAfter.getTime(), START.getTime() + 365 * DAY);
      assert.ok(certificate.getExtension(x509.SubjectKeyIdentifierExtension));
      const issuing = new x509.X509Certificate(fixture.pki.caChainPem());
      assert.equal(
        certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
        issuing.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
      );
      assert.ok(node.checkIssued(new X509Certificate(fixture.pki.caChainPem())));
      assert.deepEqual(
        Buffer.from(certificate.publicKey.rawData),
        Buffer.from(new x509.Pkcs10CertificateRequest(csr.pem).publicKey.rawData),
      );

      assert.equal(record.serial, node.serialNumber.toLowerCase().replace(/^(00)+/, ''));
      assert.ok(record.serial.length >= 30 && record.serial.length <= 32, record.serial);
      assert.equal(record.partnerId, 'police-central');
      assert.equal(record.revokedAt, undefined);
    });
  }

  it('gives every certificate a different random serial', async function () {
    const csr = await createCsr('p256');
    const serials = new Set<string>();
    for (let index = 0; index < 5; index += 1) {
      const record = await fixture.pki.issueCertificate({
        csrPem: csr.pem,
        partnerId: 'shelter-norte',
        partnerName: 'Refugio Norte',
        validityDays: 30,
        actor: operator,
      });
      serials.add(record.serial);
    }
    assert.equal(serials.size, 5);
  });

  it('records the certificate and a security-configuration AuditEvent together', async function () {
    const before = await fixture.store.audit.count();
    const record = await fixture.pki.issueCertificate({
      csrPem: (await createCsr('p256')).pem,
      partnerId: 'health-sur',
      partnerName: 'Salud Sur',
      validityDays: 90,
      actor: operator,
    });
    const listed = await fixture.pki.listCertificates('health-sur');
    assert.deepEqual(
      listed.map((entry) => entry.serial),
      [record.serial],
    );
    assert.deepEqual(await fixture.pki.listCertificates('nobody'), []);

    const trail = await fixture.store.audit.list({ afterSeq: before });
    assert.equal(trail.length, 1);
    const event = trail[0]?.event;
    assert.equal(event?.type.code, '110113');
    assert.equal(event.subtype?.[0]?.code, '110129');
    assert.equal(event.action, 'C');
    assert.equal(event.outcome, '0');
    assert.equal(event.agent[0]?.who?.identifier?.value, 'ana');
    assert.equal(event.entity?.[0]?.what?.reference, 'Organization/health-sur');
    assert.equal(event.entity[1]?.what?.identifier?.value, record.serial);
  });

  it('refuses an RSA-1024 CSR', async function () {
    await assert.rejects(
      fixture.pki.issueCertificate({
        csrPem: (await createCsr('rsa1024')).pem,
        partnerId: 'police-central',
        partnerName: 'Policía Central',
        validityDays: 365,
        actor: operator,
      }),
      refusedWith('ENLACE_CSR_INVALID', /1024 bits/),
    );
    assert.deepEqual(await fixture.pki.listCertificates(), []);
  });

  it('refuses a P-521 CSR', async function () {
    await assert.rejects(
      fixture.pki.issueCertificate({
        csrPem: (await createCsr('p521')).pem,
        partnerId: 'police-central',
        partnerName: 'Policía Central',
        validityDays: 365,
        actor: operator,
      }),
      refusedWith('ENLACE_CSR_INVALID', /secp521r1/),
    );
  });

  it('refuses a CSR whose self-signature does not verify', async function () {
    const csr = new x509.Pkcs10CertificateRequest((await createCsr('p256')).pem);
    const der = new Uint8Array(csr.rawData);
    // The last bytes are the signature's S value: flipping one breaks the signature only.
    der[der.length - 2] = (der[der.length - 2] ?? 0) ^ 0x01;
    await assert.rejects(
      fixture.pki.issueCertificate({
        csrPem: x509.PemConverter.encode(der, 'CERTIFICATE REQUEST'),
        partnerId: 'police-central',
        partnerName: 'Policía Central',
        validityDays: 365,
        actor: operator,
      }),
      refusedWith('ENLACE_CSR_INVALID', /self-signature/),
    );
  });

  it('refuses text that is not one CSR PEM block', async function () {
    const csr = (await createCsr('p256')).pem;
    for (const csrPem of ['', 'hello', `${csr}\n${csr}`, fixture.pki.caChainPem()]) {
      await assert.rejects(
        fixture.pki.issueCertificate({
          csrPem,
          partnerId: 'police-central',
          partnerName: 'Policía Central',
          validityDays: 365,
          actor: operator,
        }),
        refusedWith('ENLACE_CSR_INVALID'),
      );
    }
  });

  it('refuses validity outside 1..825 days, bad partner ids and names', async function () {
    const csrPem = (await createCsr('p256')).pem;
    const base = {
      csrPem,
      partnerId: 'police-central',
      partnerName: 'Policía',
      validityDays: 30,
      actor: operator,
    };
    for (const input of [
      { ...base, validityDays: 0 },
      { ...base, validityDays: 826 },
      { ...base, validityDays: 1.5 },
      { ...base, partnerId: 'police/../admin' },
      { ...base, partnerId: '' },
      { ...base, partnerName: 'x'.repeat(65) },
      { ...base, partnerName: 'Policía\u0000' },
    ]) {
      await assert.rejects(
        fixture.pki.issueCertificate(input),
        refusedWith('ENLACE_INVALID_PARAMETER'),
      );
    }
  });
});
