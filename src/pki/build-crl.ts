// Builds the issuing CA's CRL (DER) from the database, reusing it until revocations change or it ages.
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import type { Store } from '../store/index.js';
import { listRevoked } from './certificate-repository.js';
import type { GatewayCa } from './gateway-ca.js';
import {
  CRL_NEXT_UPDATE_DAYS,
  CRL_REFRESH_MS,
  DAY_MS,
  ISSUING_CA_ALGORITHM,
} from './pki-constants.js';
import { toCrlReason } from './revocation-reasons.js';
import { toDerSerialHex } from './serial-number.js';
import { x509 } from './x509.js';

export interface CrlBuilder {
  build(now: Date): Promise<Uint8Array>;
}

export function createCrlBuilder(ca: GatewayCa, store: Store): CrlBuilder {
  let cached:
    { readonly state: string; readonly builtAt: number; readonly der: Uint8Array } | undefined;
  return {
    async build(now) {
      const revoked = await listRevoked(store.db);
      // The database is the source of truth for every instance; the cache only saves a signature.
      const state = revoked
        .map((entry) => `${entry.serial}@${entry.revokedAt.toISOString()}`)
        .join(',');
      if (
        cached?.state === state &&
        now.getTime() - cached.builtAt < CRL_REFRESH_MS &&
        now.getTime() >= cached.builtAt
      ) {
        return cached.der;
      }
      const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
      // Why a time-based CRL number: it grows monotonically across instances without shared
      // state (the approach Let's Encrypt's CRL updater takes), as RFC 5280 §5.2.3 requires.
      const crlNumber = new x509.Extension(
        id_ce_cRLNumber,
        false,
        AsnConvert.serialize(new CRLNumber(thisUpdate.getTime())),
      );
      const crl = await x509.X509CrlGenerator.create({
        issuer: ca.issuing.peculiar.subjectName,
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + CRL_NEXT_UPDATE_DAYS * DAY_MS),
        signingAlgorithm: ISSUING_CA_ALGORITHM,
        signingKey: ca.issuingKey,
        extensions: [new x509.AuthorityKeyIdentifierExtension(ca.issuingKeyId), crlNumber],
        entries: revoked.map((entry) => ({
          serialNumber: toDerSerialHex(entry.serial),
          revocationDate: entry.revokedAt,
          // RFC 5280 §5.3.1: the reasonCode SHOULD be absent rather than "unspecified".
          ...(entry.reason === 'unspecified' ? {} : { reason: toCrlReason(entry.reason) }),
        })),
      });
      const der = new Uint8Array(crl.rawData);
      cached = { state, builtAt: thisUpdate.getTime(), der };
      return der;
    },
  };
}
