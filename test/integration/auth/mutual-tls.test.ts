// Mutual TLS for partners at the token endpoint and the Authorizer: certificate-bound tokens (RFC 8705), the partner
// a connection's certificate belongs to, and revocation read from the store on every request.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import {
  createAuthorizer,
  createTokenService,
  type AuthDeps,
  type TokenService,
} from '../../../src/auth/index.js';
import type { ClientCertificateMode, PresentedCertificate } from '../../../src/kernel/index.js';
import { isGatewayError, type Authorizer } from '../../../src/kernel/index.js';
import { DEFAULT_POLICY_PATH, loadNetworkPolicy } from '../../../src/partners/index.js';
import { initNetworkPki, loadPki, type Pki } from '../../../src/pki/index.js';
import {
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
  type TestClient,
} from './auth-harness.js';
import { createCsrPem, fromPem, toX5c } from './test-certificates.js';

const OPERATOR = { display: 'test operator' };
const REQUIREMENT = { kind: 'partner', scope: 'system/Task.rs' } as const;

interface CertifiedPartner {
  readonly client: TestClient;
  readonly presented: PresentedCertificate;
  readonly serial: string;
}

async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isGatewayError(err), `a GatewayError, got ${String(err)}`);
    return { code: err.code, status: err.status };
  }
  assert.fail('expected a refusal');
}

describe('mutual TLS for partners', () => {
  let harness: AuthHarness;
  let pki: Pki;
  let deps: AuthDeps;
  let police: CertifiedPartner;
  let otherPolice: CertifiedPartner;
  let partners = 0;

  const certified = async (): Promise<CertifiedPartner> => {
    partners += 1;
    const partnerId = `comisaria-mtls-${String(partners)}`;
    const client = await harness.registerClient(partnerId, { role: 'police', withJwks: false });
    const record = await pki.issueCertificate({
      csrPem: await createCsrPem(client.privateKey, client.publicJwk, partnerId),
      partnerId,
      partnerName: `Comisaria ${String(partners)}`,
      validityDays: 30,
      actor: OPERATOR,
    });
    return {
      client,
      presented: { x5c: [toX5c(fromPem(record.pem))], authorized: true },
      serial: record.serial,
    };
  };

  const withMode = (mode: ClientCertificateMode): AuthDeps =>
    mode === 'off'
      ? deps
      : {
          ...deps,
          clientCertificates: {
            mode,
            validate: (x5c, at) => pki.validateCertificateChain(x5c, at),
          },
        };
  const tokensOf = (mode: ClientCertificateMode): TokenService =>
    createTokenService(withMode(mode));
  const authorizerOf = (mode: ClientCertificateMode): Authorizer =>
    createAuthorizer(withMode(mode));

  const tokenFor = async (
    tokens: TokenService,
    partner: CertifiedPartner,
    presented: PresentedCertificate | undefined,
  ): Promise<string> => {
    const assertion = await signAssertion(harness, partner.client, {
      header: { x5c: partner.presented.x5c, kid: undefined },
    });
    const form = new Map(Object.entries(tokenForm(assertion)));
    const answer = await tokens.requestAccessToken(form, 'req-mtls', presented);
    return answer.access_token;
  };

  const authorizeOver = (
    authorize: Authorizer,
    token: string,
    presented: PresentedCertificate | undefined,
  ) =>
    authorize(`Bearer ${token}`, REQUIREMENT, {
      requestId: 'req-mtls',
      method: 'GET',
      route: '/fhir/Task',
      ...(presented === undefined ? {} : { clientCertificate: presented }),
    });

  before(async () => {
    harness = await startAuthHarness();
    await initNetworkPki({
      dataDir: harness.dataDir,
      networkName: 'Red mTLS',
      clock: harness.clock,
    });
    pki = await loadPki({ dataDir: harness.dataDir, store: harness.store, clock: harness.clock });
    harness.setChainValidator((x5c, at) => pki.validateCertificateChain(x5c, at));
    deps = {
      store: harness.store,
      keys: harness.keys,
      policy: await loadNetworkPolicy(DEFAULT_POLICY_PATH),
      clock: harness.clock,
      publicUrl: harness.url,
      validateCertificateChain: (x5c, at) => pki.validateCertificateChain(x5c, at),
    };
    police = await certified();
    otherPolice = await certified();
  });

  after(async () => {
    await harness.dispose();
  });

  it('announces certificate-bound tokens in discovery only when client certificates are asked for', () => {
    assert.equal(
      tokensOf('optional').smartConfiguration.tls_client_certificate_bound_access_tokens,
      true,
    );
    assert.equal(
      'tls_client_certificate_bound_access_tokens' in tokensOf('off').smartConfiguration,
      false,
    );
  });

  it('binds a token issued over mutual TLS to the SHA-256 thumbprint of the certificate', async () => {
    const token = await tokenFor(tokensOf('require'), police, police.presented);
    const { cnf } = decodeJwt(token) as { cnf?: Record<string, string> };
    const der = Buffer.from(police.presented.x5c[0] ?? '', 'base64');
    assert.deepEqual(cnf, { 'x5t#S256': createHash('sha256').update(der).digest('base64url') });
    const principal = await authorizeOver(authorizerOf('require'), token, police.presented);
    assert.equal(principal.kind === 'partner' ? principal.partnerId : '', police.client.partnerId);
  });

  it('with optional client authentication, issues unbound tokens to connections without a certificate', async () => {
    const token = await tokenFor(tokensOf('optional'), police, undefined);
    assert.equal(decodeJwt(token).cnf, undefined);
    const principal = await authorizeOver(authorizerOf('optional'), token, undefined);
    assert.equal(principal.kind, 'partner');
  });

  it("refuses an unbound token over a connection with another partner's certificate", async () => {
    const token = await tokenFor(tokensOf('optional'), police, undefined);
    assert.deepEqual(
      await refusalOf(authorizeOver(authorizerOf('optional'), token, otherPolice.presented)),
      { code: 'ENLACE_TOKEN_CERTIFICATE_MISMATCH', status: 401 },
    );
  });

  it('refuses a token bound to one certificate over a connection with another of the same partner', async () => {
    const token = await tokenFor(tokensOf('require'), police, police.presented);
    // Another certificate the CA issued to the same partner: right partner, wrong binding.
    const record = await pki.issueCertificate({
      csrPem: await createCsrPem(
        police.client.privateKey,
        police.client.publicJwk,
        police.client.partnerId,
      ),
      partnerId: police.client.partnerId,
      partnerName: 'Comisaria, second certificate',
      validityDays: 30,
      actor: OPERATOR,
    });
    const second: PresentedCertificate = { x5c: [toX5c(fromPem(record.pem))], authorized: true };
    assert.deepEqual(await refusalOf(authorizeOver(authorizerOf('require'), token, second)), {
      code: 'ENLACE_TOKEN_CERTIFICATE_MISMATCH',
      status: 401,
    });
  });

  it('refuses a certificate the TLS handshake did not verify', async () => {
    const token = await tokenFor(tokensOf('optional'), police, undefined);
    const unverified = { ...police.presented, authorized: false };
    assert.deepEqual(await refusalOf(authorizeOver(authorizerOf('optional'), token, unverified)), {
      code: 'ENLACE_CLIENT_CERTIFICATE_INVALID',
      status: 401,
    });
    await assert.rejects(tokenFor(tokensOf('optional'), police, unverified), {
      code: 'ENLACE_CLIENT_AUTH_FAILED',
    });
  });

  it('requires a certificate at the token endpoint and at protected routes when set to require', async () => {
    await assert.rejects(tokenFor(tokensOf('require'), police, undefined), {
      code: 'ENLACE_CLIENT_AUTH_FAILED',
    });
    const unbound = await tokenFor(tokensOf('optional'), police, undefined);
    assert.deepEqual(await refusalOf(authorizeOver(authorizerOf('require'), unbound, undefined)), {
      code: 'ENLACE_CLIENT_CERTIFICATE_REQUIRED',
      status: 401,
    });
  });

  it('refuses a bound token where client certificates are not asked for', async () => {
    const token = await tokenFor(tokensOf('require'), police, police.presented);
    assert.deepEqual(await refusalOf(authorizeOver(authorizerOf('off'), token, undefined)), {
      code: 'ENLACE_TOKEN_CERTIFICATE_MISMATCH',
      status: 401,
    });
  });

  it('refuses a certificate revoked after its token was issued', async () => {
    const partner = await certified();
    const token = await tokenFor(tokensOf('require'), partner, partner.presented);
    const authorize = authorizerOf('require');
    await authorizeOver(authorize, token, partner.presented);
    await pki.revokeCertificate({
      serial: partner.serial,
      reason: 'keyCompromise',
      actor: OPERATOR,
    });
    assert.deepEqual(await refusalOf(authorizeOver(authorize, token, partner.presented)), {
      code: 'ENLACE_CLIENT_CERTIFICATE_INVALID',
      status: 401,
    });
  });
});
