import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { initNetworkPki, loadPki, type Pki } from '../../../src/pki/index.js';
import type { x509 } from '../../../src/pki/x509.js';
import {
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { expectAssertionRefused, postToken } from './expect-refusal.js';
import {
  createCsrPem,
  createTestCa,
  fromPem,
  issueLeaf,
  toWebPublicKey,
  toX5c,
  type TestCa,
} from './test-certificates.js';

const OPERATOR = { display: 'test operator' };
const CHAIN_REFUSED = /certificate chain refused/;
const FOREIGN_PARTNER = /certificate belongs to another partner/;

describe('client assertions with an x5c certificate chain', () => {
  let harness: AuthHarness;
  let pki: Pki;
  let external: TestCa;
  let partners = 0;

  /** A partner whose only credential is a certificate the gateway CA issued from its CSR. */
  const certifiedClient = async (
    validityDays = 30,
  ): Promise<{ client: TestClient; certificate: x509.X509Certificate; serial: string }> => {
    partners += 1;
    const partnerId = `court-${String(partners)}`;
    const client = await harness.registerClient(partnerId, { role: 'court', withJwks: false });
    const record = await pki.issueCertificate({
      csrPem: await createCsrPem(client.privateKey, client.publicJwk, partnerId),
      partnerId,
      partnerName: `Court ${String(partners)}`,
      validityDays,
      actor: OPERATOR,
    });
    return { client, certificate: fromPem(record.pem), serial: record.serial };
  };

  const chainAssertion = (
    client: TestClient,
    x5c: readonly string[],
    key = client.privateKey,
  ): Promise<string> => signAssertion(harness, client, { key, header: { x5c, kid: undefined } });

  before(async () => {
    harness = await startAuthHarness();
    external = await createTestCa('National Test CA', harness.now());
    const anchorsFile = join(harness.dataDir, 'external-anchors.pem');
    await writeFile(anchorsFile, external.certificate.toString('pem'));
    await initNetworkPki({
      dataDir: harness.dataDir,
      networkName: 'Red Enlace Test',
      clock: harness.clock,
    });
    pki = await loadPki({
      dataDir: harness.dataDir,
      store: harness.store,
      clock: harness.clock,
      trustAnchorsFile: anchorsFile,
    });
    harness.setChainValidator((x5c, at) => pki.validateCertificateChain(x5c, at));
  });

  after(async () => {
    await harness.dispose();
  });

  it('accepts a gateway-issued certificate bound to the partner by its partner id', async () => {
    const { client, certificate } = await certifiedClient();
    const answer = await postToken(
      harness,
      tokenForm(await chainAssertion(client, [toX5c(certificate)])),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.audit[0]?.outcome, '0');
  });

  it('accepts an external CA certificate bound to the client by its fingerprint', async () => {
    partners += 1;
    const probe = await harness.registerClient(`ext-probe-${String(partners)}`, {
      withJwks: false,
    });
    const leaf = await issueLeaf(
      external,
      await toWebPublicKey(probe.publicJwk),
      'Fiscalia',
      harness.now(),
    );
    const fingerprint = new X509Certificate(Buffer.from(leaf.rawData)).fingerprint256;
    const client = await harness.registerClient(`ext-${String(partners)}`, {
      withJwks: false,
      certificateFingerprints: [fingerprint],
    });
    const answer = await postToken(
      harness,
      tokenForm(await chainAssertion(client, [toX5c(leaf)], probe.privateKey)),
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  });

  it('refuses an external CA certificate that is not bound to the client', async () => {
    partners += 1;
    const client = await harness.registerClient(`ext-${String(partners)}`, { withJwks: false });
    const leaf = await issueLeaf(
      external,
      await toWebPublicKey(client.publicJwk),
      'Someone',
      harness.now(),
    );
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, [toX5c(leaf)]),
      undefined,
      FOREIGN_PARTNER,
    );
  });

  it("refuses another partner's certificate, even with that partner's key", async () => {
    const mine = await certifiedClient();
    const theirs = await certifiedClient();
    await expectAssertionRefused(
      harness,
      await chainAssertion(mine.client, [toX5c(theirs.certificate)], theirs.client.privateKey),
      undefined,
      FOREIGN_PARTNER,
    );
  });

  it('refuses an expired certificate', async () => {
    const { client, certificate } = await certifiedClient(1);
    const later = 2 * 24 * 60 * 60;
    harness.advance(later);
    try {
      await expectAssertionRefused(
        harness,
        await chainAssertion(client, [toX5c(certificate)]),
        undefined,
        CHAIN_REFUSED,
      );
    } finally {
      harness.advance(-later);
    }
  });

  it('refuses a revoked certificate from the next request on', async () => {
    const { client, certificate, serial } = await certifiedClient();
    const first = await postToken(
      harness,
      tokenForm(await chainAssertion(client, [toX5c(certificate)])),
    );
    assert.equal(first.status, 200);
    await pki.revokeCertificate({ serial, reason: 'keyCompromise', actor: OPERATOR });
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, [toX5c(certificate)]),
      undefined,
      /revoked/,
    );
  });

  it('refuses a chain to a CA that is not a trust anchor', async () => {
    const foreign = await createTestCa('Foreign CA', harness.now());
    const { client } = await certifiedClient();
    const leaf = await issueLeaf(
      foreign,
      await toWebPublicKey(client.publicJwk),
      'Impostor',
      harness.now(),
    );
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, [toX5c(leaf), toX5c(foreign.certificate)]),
      undefined,
      CHAIN_REFUSED,
    );
  });

  it('refuses a certificate signed by a partner leaf used as a CA', async () => {
    const { client, certificate } = await certifiedClient();
    const attacker = await generateKeyPair('ES256', { extractable: true });
    const forged = await issueLeaf(
      { certificate, privateKey: client.privateKey },
      await toWebPublicKey(await exportJWK(attacker.publicKey)),
      'Forged',
      harness.now(),
    );
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, [toX5c(forged), toX5c(certificate)], attacker.privateKey),
      undefined,
      /not a CA/,
    );
  });

  it('refuses an x5c that is not base64 DER', async () => {
    const { client } = await certifiedClient();
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, ['not base64!']),
      undefined,
      CHAIN_REFUSED,
    );
  });

  it('refuses a valid certificate when the assertion is signed by another key', async () => {
    const { client, certificate } = await certifiedClient();
    const { privateKey } = await generateKeyPair('ES256');
    await expectAssertionRefused(
      harness,
      await chainAssertion(client, [toX5c(certificate)], privateKey),
      undefined,
      /SIGNATURE_VERIFICATION_FAILED/,
    );
  });
});
