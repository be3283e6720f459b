// Agreement with OpenSSL: `openssl verify -crl_check` and validateCertificateChain reach the same verdicts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGatewayError } from '../../../src/kernel/index.js';
import { x509 } from '../../../src/pki/x509.js';
import type { CryptoKeyPair } from '../../../src/pki/x509.js';
import { createTestRoot, issueWith } from './foreign-pki.js';
import { createCsr, createPkiFixture, DAY, operator, START, toX5c } from './pki-fixture.js';
import type { PkiFixture } from './pki-fixture.js';

interface Verdict {
  readonly ok: boolean;
  readonly detail: string;
}

function opensslVerify(args: readonly string[]): Promise<Verdict> {
  return new Promise((resolve) => {
    execFile('openssl', ['verify', ...args], (error, stdout, stderr) => {
      resolve({ ok: error === null, detail: `${stdout}${stderr}` });
    });
  });
}

describe('agreement with openssl verify', function () {
  let fixture: PkiFixture;
  const when = new Date(START.getTime() + DAY);
  const pem = (certificate: x509.X509Certificate): string => certificate.toString('pem');

  before(async function () {
    const available = await new Promise<boolean>((resolve) => {
      execFile('openssl', ['version'], (error) => {
        resolve(error === null);
      });
    });
    if (!available) this.skip();
  });

  beforeEach(async function () {
    fixture = await createPkiFixture();
  });

  afterEach(async function () {
    await fixture.dispose();
  });

  const issue = async (partnerId: string): Promise<{ pem: string; keys: CryptoKeyPair }> => {
    const csr = await createCsr('p256');
    const record = await fixture.pki.issueCertificate({
      csrPem: csr.pem,
      partnerId,
      partnerName: partnerId,
      validityDays: 30,
      actor: operator,
    });
    return { pem: record.pem, keys: csr.keys };
  };

  async function ours(x5c: string[]): Promise<Verdict> {
    try {
      await fixture.pki.validateCertificateChain(x5c, when);
      return { ok: true, detail: 'accepted' };
    } catch (error) {
      assert.ok(
        isGatewayError(error) && error.code === 'ENLACE_CERTIFICATE_INVALID',
        String(error),
      );
      return { ok: false, detail: (error.cause as Error).message };
    }
  }

  it('agrees on a good leaf, a revoked leaf, a foreign leaf and a leaf used as a CA', async function () {
    const dir = fixture.dataDir;
    const good = await issue('police-central');
    const revoked = await issue('shelter-norte');
    const stored = await fixture.pki.listCertificates('shelter-norte');
    await fixture.pki.revokeCertificate({
      serial: stored[0]?.serial ?? '',
      reason: 'keyCompromise',
      actor: operator,
    });
    const foreignRoot = await createTestRoot('Foreign Root', START);
    const foreign = await issueWith(foreignRoot, 'police-central', { notBefore: START });
    const goodLeaf = { certificate: new x509.X509Certificate(good.pem), keys: good.keys };
    const forged = await issueWith(goodLeaf, 'health-sur', { notBefore: START });

    const [issuingPem = '', rootPem = ''] = fixture.pki
      .caChainPem()
      .split(/(?<=-----END CERTIFICATE-----)\n+/)
      .filter((part) => part.includes('BEGIN'));
    const crlDer = await fixture.pki.buildCrl();
    const files = {
      root: join(dir, 'root.pem'),
      issuing: join(dir, 'issuing.pem'),
      crl: join(dir, 'crl.pem'),
      good: join(dir, 'good.pem'),
      revoked: join(dir, 'revoked.pem'),
      foreign: join(dir, 'foreign.pem'),
      forged: join(dir, 'forged.pem'),
      forgedUntrusted: join(dir, 'forged-untrusted.pem'),
    };
    await writeFile(files.root, rootPem);
    await writeFile(files.issuing, issuingPem);
    // OpenSSL reads "X509 CRL" PEM blocks (RFC 7468), not @peculiar/x509's default "CRL" label.
    await writeFile(files.crl, x509.PemConverter.encode(crlDer, 'X509 CRL'));
    await writeFile(files.good, good.pem);
    await writeFile(files.revoked, revoked.pem);
    await writeFile(files.foreign, pem(foreign.certificate));
    await writeFile(files.forged, pem(forged.certificate));
    await writeFile(files.forgedUntrusted, `${good.pem}\n${issuingPem}`);

    const attime = String(Math.floor(when.getTime() / 1000));
    const verify = (leaf: string, untrusted = files.issuing): Promise<Verdict> =>
      opensslVerify([
        '-attime',
        attime,
        '-CAfile',
        files.root,
        '-untrusted',
        untrusted,
        '-crl_check',
        '-CRLfile',
        files.crl,
        leaf,
      ]);

    const cases = [
      {
        name: 'good',
        expected: true,
        openssl: await verify(files.good),
        gateway: await ours([toX5c(good.pem)]),
      },
      {
        name: 'revoked',
        expected: false,
        openssl: await verify(files.revoked),
        gateway: await ours([toX5c(revoked.pem)]),
      },
      {
        name: 'foreign',
        expected: false,
        openssl: await verify(files.foreign),
        gateway: await ours([toX5c(pem(foreign.certificate)), toX5c(pem(foreignRoot.certificate))]),
      },
      {
        name: 'leaf used as a CA',
        expected: false,
        openssl: await verify(files.forged, files.forgedUntrusted),
        gateway: await ours([toX5c(pem(forged.certificate)), toX5c(good.pem), toX5c(issuingPem)]),
      },
    ];
    for (const { name, expected, openssl, gateway } of cases) {
      assert.equal(openssl.ok, expected, `openssl on ${name}: ${openssl.detail}`);
      assert.equal(gateway.ok, expected, `gateway on ${name}: ${gateway.detail}`);
    }
    const [, revokedCase, , forgedCase] = cases;
    assert.match(revokedCase?.openssl.detail ?? '', /certificate revoked/);
    assert.match(forgedCase?.openssl.detail ?? '', /invalid CA certificate/);
  });
});
