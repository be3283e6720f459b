// Revoking partner certificates (persisted, audited) and publishing them in the issuing CA's CRL.
import assert from 'node:assert/strict';
import { isGatewayError } from '../../../src/kernel/index.js';
import type { ErrorCode } from '../../../src/kernel/index.js';
import { x509 } from '../../../src/pki/x509.js';
import { createCsr, createPkiFixture, DAY, operator, START } from './pki-fixture.js';
import type { PkiFixture } from './pki-fixture.js';

const refusedWith = (code: ErrorCode) => (error: unknown) =>
  isGatewayError(error) && error.code === code;

describe('revoking certificates and building the CRL', function () {
  let fixture: PkiFixture;

  beforeEach(async function () {
    fixture = await createPkiFixture();
  });

  afterEach(async function () {
    await fixture.dispose();
  });

  const issue = async (partnerId: string) =>
    fixture.pki.issueCertificate({
      csrPem: (await createCsr('p256')).pem,
      partnerId,
      partnerName: partnerId,
      validityDays: 60,
      actor: operator,
    });

  it('persists the revocation with its reason and time, and audits it', async function () {
    const record = await issue('police-central');
    fixture.time.now = new Date(START.getTime() + DAY);
    const revokedAt = new Date(START.getTime() + 3_600_000);
    const revoked = await fixture.pki.revokeCertificate({
      serial: record.serial.toUpperCase(),
      reason: 'keyCompromise',
      at: revokedAt,
      actor: operator,
    });
    assert.equal(revoked.revokedAt?.getTime(), revokedAt.getTime());
    assert.equal(revoked.revocationReason, 'keyCompromise');
    const [listed] = await fixture.pki.listCertificates('police-central');
    assert.equal(listed?.revocationReason, 'keyCompromise');

    const last = (await fixture.store.audit.list()).at(-1)?.event;
    assert.equal(last?.action, 'U');
    assert.equal(last.subtype?.[0]?.code, '110129');
    assert.equal(last.entity?.[1]?.what?.identifier?.value, record.serial);
    assert.match(last.entity[1].description ?? '', /keyCompromise/);
  });

  it('refuses an unknown serial, a second revocation, a future time and an unknown reason', async function () {
    const record = await issue('police-central');
    await assert.rejects(
      fixture.pki.revokeCertificate({ serial: 'abcdef01', reason: 'superseded', actor: operator }),
      refusedWith('ENLACE_CERTIFICATE_NOT_FOUND'),
    );
    await fixture.pki.revokeCertificate({
      serial: record.serial,
      reason: 'superseded',
      actor: operator,
    });
    const auditCount = await fixture.store.audit.count();
    await assert.rejects(
      fixture.pki.revokeCertificate({
        serial: record.serial,
        reason: 'keyCompromise',
        actor: operator,
      }),
      refusedWith('ENLACE_CERTIFICATE_ALREADY_REVOKED'),
    );
    assert.equal(
      await fixture.store.audit.count(),
      auditCount,
      'a refused revocation leaves no trace',
    );
    const other = await issue('shelter-norte');
    await assert.rejects(
      fixture.pki.revokeCertificate({
        serial: other.serial,
        reason: 'superseded',
        at: new Date(START.getTime() + DAY),
        actor: operator,
      }),
      refusedWith('ENLACE_INVALID_PARAMETER'),
    );
    await assert.rejects(
      fixture.pki.revokeCertificate({
        serial: other.serial,
        reason: 'certificateHold' as 'superseded',
        actor: operator,
      }),
      refusedWith('ENLACE_INVALID_PARAMETER'),
    );
    await assert.rejects(
      fixture.pki.revokeCertificate({ serial: 'not-hex', reason: 'superseded', actor: operator }),
      refusedWith('ENLACE_INVALID_PARAMETER'),
    );
  });

  it('builds a DER CRL signed by the issuing CA that lists the revoked serials', async function () {
    const kept = await issue('police-central');
    const compromised = await issue('shelter-norte');
    const retired = await issue('health-sur');
    await fixture.pki.revokeCertificate({
      serial: compromised.serial,
      reason: 'keyCompromise',
      actor: operator,
    });
    await fixture.pki.revokeCertificate({
      serial: retired.serial,
      reason: 'unspecified',
      actor: operator,
    });

    const der = await fixture.pki.buildCrl();
    assert.equal(der[0], 0x30, 'a DER SEQUENCE');
    const crl = new x509.X509Crl(der);
    const issuing = new x509.X509Certificate(fixture.pki.caChainPem());
    assert.equal(await crl.verify({ publicKey: issuing }), true);
    assert.equal(crl.issuer, issuing.subject);
    assert.equal(crl.thisUpdate.getTime(), START.getTime());
    assert.equal(crl.nextUpdate?.getTime(), START.getTime() + 7 * DAY);

    const serials = crl.entries.map((entry) => entry.serialNumber.replace(/^(00)+/, ''));
    assert.deepEqual(serials.sort(), [compromised.serial, retired.serial].sort());
    assert.ok(!serials.includes(kept.serial));
    const compromisedEntry = crl.entries.find((entry) =>
      entry.serialNumber.endsWith(compromised.serial),
    );
    assert.equal(compromisedEntry?.reason, x509.X509CrlReason.keyCompromise);
    const retiredEntry = crl.entries.find((entry) => entry.serialNumber.endsWith(retired.serial));
    assert.equal(retiredEntry?.reason, undefined, 'unspecified is expressed by omission');

    const crlNumber = crl.extensions.find((extension) => extension.type === '2.5.29.20');
    assert.ok(crlNumber, 'has a CRL number');
    assert.ok(
      crl.extensions.some((extension) => extension.type === '2.5.29.35'),
      'has an AKI',
    );
  });

  it('reuses the CRL until a revocation changes it, then increases the CRL number', async function () {
    const first = await fixture.pki.buildCrl();
    fixture.time.now = new Date(START.getTime() + 60_000);
    assert.deepEqual(await fixture.pki.buildCrl(), first);

    const record = await issue('police-central');
    await fixture.pki.revokeCertificate({
      serial: record.serial,
      reason: 'superseded',
      actor: operator,
    });
    const second = await fixture.pki.buildCrl();
    assert.notDeepEqual(second, first);
    const number = (der: Uint8Array): bigint => {
      const extension = new x509.X509Crl(der).extensions.find((item) => item.type === '2.5.29.20');
      assert.ok(extension);
      // INTEGER: tag, length, big-endian content.
      return BigInt(`0x${Buffer.from(extension.value).subarray(2).toString('hex')}`);
    };
    assert.ok(number(second) > number(first));
  });
});
