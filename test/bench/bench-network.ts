// The network the benchmark runs: the operator's `enlace` commands (PKI, partners), then tokens and consents over HTTP.
import { randomUUID } from 'node:crypto';
import type { Consent } from '@medplum/fhirtypes';
import { SignJWT, type CryptoKey, type JWK } from 'jose';
import { enlaceJson, pemToX5c, registerWithCsr } from '../support/enlace-cli.js';
import { shelterConsent } from '../integration/referrals/referral-fixtures.js';
import type { Curve } from './bench-options.js';
import type { MessageSigner } from './referral-messages.js';

export interface BenchPartner {
  readonly id: string;
  readonly clientId: string;
  readonly signingKey: CryptoKey;
  /** The partner's leaf certificate, base64 DER (the chain adds the issuing CA once it is known). */
  readonly leaf: string;
  readonly decryptionKey: CryptoKey;
}

export interface BenchNetwork {
  readonly police: BenchPartner;
  readonly shelter: BenchPartner;
  /** An oversight body's system: searches AuditEvents, asks for proofs and exports. */
  readonly oversight: BenchPartner;
}

export const POLICE = 'comisaria-bench';
export const SHELTER = 'refugio-bench';
export const OVERSIGHT = 'defensoria-bench';

export const SCOPES = {
  police: 'system/Bundle.cr system/Consent.crus system/Task.rus system/Organization.rs',
  shelter: 'system/Bundle.cr system/Task.rus system/Organization.rs',
  oversight: 'system/AuditEvent.rs',
} as const;

async function register(
  env: Record<string, string>,
  dir: string,
  id: string,
  role: string,
): Promise<BenchPartner> {
  const partner = await registerWithCsr(env, dir, { id, role });
  return {
    id,
    clientId: partner.clientId,
    signingKey: partner.signingKey,
    leaf: partner.x5c[0] ?? '',
    decryptionKey: partner.decryptionKey,
  };
}

/** What the operator does before the first start: the network's CA, then each institution. */
export async function registerNetwork(
  env: Record<string, string>,
  dir: string,
): Promise<BenchNetwork> {
  await enlaceJson(env, 'pki', 'init', '--network-name', 'Red Enlace Bench');
  return {
    police: await register(env, dir, POLICE, 'police'),
    shelter: await register(env, dir, SHELTER, 'shelter'),
    oversight: await register(env, dir, OVERSIGHT, 'oversight'),
  };
}

/** What a partner reads from a running gateway: the CA chain to send and the keys to encrypt to. */
export interface GatewayDirectory {
  /** The issuing CA, base64 DER: the second certificate of every partner's x5c. */
  readonly issuingCa: string;
  readonly encryptionKeys: Readonly<Record<Curve, JWK>>;
}

export async function readGatewayDirectory(base: string): Promise<GatewayDirectory> {
  const issuingCa = pemToX5c(await (await fetch(`${base}/pki/ca.pem`)).text())[0];
  const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  const find = (crv: Curve): JWK => {
    const key = jwks.keys.find((candidate) => candidate.use === 'enc' && candidate.crv === crv);
    if (key === undefined) throw new Error(`the gateway publishes no ${crv} encryption key`);
    return key;
  };
  if (issuingCa === undefined) throw new Error('the gateway serves no CA certificate');
  return { issuingCa, encryptionKeys: { 'P-256': find('P-256'), X25519: find('X25519') } };
}

/** A SMART Backend Services token: a private_key_jwt assertion with the partner's x5c chain. */
export async function accessToken(
  base: string,
  directory: GatewayDirectory,
  partner: BenchPartner,
  scope: string,
): Promise<string> {
  const tokenEndpoint = `${base}/oauth2/token`;
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', x5c: [partner.leaf, directory.issuingCa] })
    .setIssuer(partner.clientId)
    .setSubject(partner.clientId)
    .setAudience(tokenEndpoint)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(partner.signingKey);
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope,
    }),
  });
  if (res.status !== 200) throw new Error(`token refused (${res.status}): ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export const survivorIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `bench-${String(i + 1).padStart(6, '0')}`);

/** Each survivor agreed at the police station that a shelter may receive her case. */
export async function recordConsents(
  base: string,
  policeToken: string,
  survivors: readonly string[],
): Promise<void> {
  const year = new Date().getUTCFullYear();
  for (const survivor of survivors) {
    const consent: Consent = shelterConsent(survivor, POLICE);
    if (consent.provision)
      consent.provision.period = { start: `${year - 1}-01-01`, end: `${year + 1}-12-31` };
    consent.dateTime = new Date().toISOString();
    const res = await fetch(`${base}/fhir/Consent`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${policeToken}`,
        'content-type': 'application/fhir+json',
      },
      body: JSON.stringify(consent),
    });
    if (res.status !== 201) throw new Error(`consent refused (${res.status}): ${await res.text()}`);
  }
}

/** How `partner` signs a referral: its key, and its leaf with the gateway's issuing CA as x5c. */
export const signerFor = (partner: BenchPartner, directory: GatewayDirectory): MessageSigner => ({
  partnerId: partner.id,
  privateKey: partner.signingKey,
  x5c: [partner.leaf, directory.issuingCa],
});

/** What generateMessages needs for referrals from the police station to the shelter. */
export const policeToShelter = (
  network: BenchNetwork,
  directory: GatewayDirectory,
  survivors: readonly string[],
) => ({
  signer: signerFor(network.police, directory),
  recipient: SHELTER,
  survivors,
  gatewayKeys: directory.encryptionKeys,
});
