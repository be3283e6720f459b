// Revocation of a validated path: the gateway's own certificates in the database, external ones by CRL.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import type { CertificationPath } from './build-path.js';
import { findRevocationState } from './certificate-repository.js';
import { chainInvalid } from './chain-error.js';
import { checkAgainstCrls } from './external-crls.js';
import type { ExternalCrl } from './external-crls.js';
import type { GatewayCa } from './gateway-ca.js';
import { PARTNER_URI_PREFIX } from './pki-constants.js';

export interface RevocationContext {
  readonly db: Kysely<Database>;
  readonly gatewayCa: GatewayCa | undefined;
  readonly crls: readonly ExternalCrl[];
  readonly skewMs: number;
}

/**
 * Never cached: the database is read on every call so that a revocation made by any instance
 * sharing it is refused from the next request on. Returns the partner id of a gateway-issued leaf.
 */
export async function checkRevocation(
  path: CertificationPath,
  at: Date,
  context: RevocationContext,
): Promise<string | undefined> {
  if (path.anchor.source === 'gateway') {
    return checkGatewayIssued(path, context);
  }
  await checkExternal(path, at, context);
  return undefined;
}

async function checkGatewayIssued(
  path: CertificationPath,
  context: RevocationContext,
): Promise<string> {
  const [leaf, issuer] = path.certificates;
  if (
    leaf === undefined ||
    issuer === undefined ||
    issuer.fingerprint256 !== context.gatewayCa?.issuing.fingerprint256
  ) {
    throw chainInvalid('a gateway chain must be the leaf and the current issuing CA');
  }
  const state = await findRevocationState(context.db, leaf.serial);
  // Why also refuse unknown serials: every certificate this CA issues is recorded in the same
  // transaction; one missing from the registry was not issued through it (or its record was lost).
  if (state === undefined) {
    throw chainInvalid(`certificate ${leaf.serial} is not in the certificate registry`);
  }
  if (state.revoked) {
    throw chainInvalid(`certificate ${leaf.serial} is revoked`);
  }
  if (!leaf.uris.includes(`${PARTNER_URI_PREFIX}${state.partnerId}`)) {
    throw chainInvalid(`certificate ${leaf.serial} does not name partner ${state.partnerId}`);
  }
  return state.partnerId;
}

async function checkExternal(
  path: CertificationPath,
  at: Date,
  context: RevocationContext,
): Promise<void> {
  const { certificates, anchor } = path;
  for (const [index, cert] of certificates.entries()) {
    const issuer = certificates[index + 1] ?? anchor.certificate;
    const verdict = await checkAgainstCrls(context.crls, cert, issuer, at, context.skewMs);
    if (verdict.status === 'refused') throw chainInvalid(verdict.reason);
  }
}
