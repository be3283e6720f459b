// CRLs of external CAs, loaded from files (the gateway fetches nothing); matched to an issuer by name and signature.
import { Buffer } from 'node:buffer';
import { GatewayError } from '../kernel/index.js';
import type { ParsedCertificate } from './parsed-certificate.js';
import { readPublicFile } from './pki-files.js';
import { toSerialKey } from './serial-number.js';
import { x509 } from './x509.js';

export interface ExternalCrl {
  readonly path: string;
  readonly crl: x509.X509Crl;
  /** DER of the issuer Name, compared byte for byte with a certificate's issuer. */
  readonly issuerDer: Buffer;
  readonly revokedSerials: ReadonlySet<string>;
  /** Issuer fingerprints whose key verified this CRL's signature, and those that did not. */
  readonly verifiedBy: Map<string, boolean>;
}

function decodeCrl(data: Buffer, path: string): x509.X509Crl {
  try {
    const text = data.toString('latin1');
    return text.includes('-----BEGIN')
      ? new x509.X509Crl(x509.PemConverter.decodeFirst(text))
      : new x509.X509Crl(new Uint8Array(data));
  } catch (error) {
    throw new GatewayError('ENLACE_PKI_MATERIAL_INVALID', `${path} is not a DER or PEM CRL`, {
      cause: error,
    });
  }
}

/** CRL extensions that narrow a CRL's scope; reading such a CRL as complete would miss revocations. */
const SCOPE_EXTENSIONS = new Set(['2.5.29.27', '2.5.29.28']);

export async function loadExternalCrls(paths: readonly string[]): Promise<ExternalCrl[]> {
  const crls: ExternalCrl[] = [];
  for (const path of paths) crls.push(readCrl(await readPublicFile(path), path));
  return crls;
}

/** A full CRL from DER or PEM bytes; `path` names where it came from (a file, a URL) in messages. */
export function readCrl(data: Buffer, path: string): ExternalCrl {
  const crl = decodeCrl(data, path);
  // Why: a delta CRL or one with an issuingDistributionPoint covers only part of the issuer's
  // certificates; the gateway does not combine partial CRLs, so it refuses them at start.
  if (crl.extensions.some((extension) => SCOPE_EXTENSIONS.has(extension.type))) {
    throw new GatewayError(
      'ENLACE_PKI_MATERIAL_INVALID',
      `${path} is a delta or partitioned CRL; supply the issuer's full CRL`,
    );
  }
  return {
    path,
    crl,
    issuerDer: Buffer.from(crl.issuerName.toArrayBuffer()),
    revokedSerials: new Set(crl.entries.map((entry) => toSerialKey(entry.serialNumber))),
    verifiedBy: new Map(),
  };
}

export type CrlVerdict =
  | { readonly status: 'none' }
  | { readonly status: 'good' }
  | { readonly status: 'refused'; readonly reason: string };

/**
 * The revocation status of `certificate` according to the CRLs issued by `issuer`. No CRL
 * configured for that issuer means "none" (not checked); a CRL that names the issuer but is stale
 * or badly signed refuses: the operator asked for revocation checking there, so it fails closed.
 */
export async function checkAgainstCrls(
  crls: readonly ExternalCrl[],
  certificate: ParsedCertificate,
  issuer: ParsedCertificate,
  at: Date,
  skewMs: number,
): Promise<CrlVerdict> {
  const issuerDer = Buffer.from(certificate.peculiar.issuerName.toArrayBuffer());
  const candidates = crls.filter((entry) => entry.issuerDer.equals(issuerDer));
  if (candidates.length === 0) return { status: 'none' };
  for (const entry of candidates) {
    if (!(await isSignedBy(entry, issuer))) {
      return { status: 'refused', reason: `CRL ${entry.path} is not signed by ${issuer.subject}` };
    }
    const nextUpdate = entry.crl.nextUpdate;
    if (nextUpdate !== undefined && nextUpdate.getTime() + skewMs < at.getTime()) {
      return {
        status: 'refused',
        reason: `CRL ${entry.path} is stale since ${nextUpdate.toISOString()}`,
      };
    }
    if (entry.revokedSerials.has(certificate.serial)) {
      return {
        status: 'refused',
        reason: `certificate ${certificate.serial} is revoked by CRL ${entry.path}`,
      };
    }
  }
  return { status: 'good' };
}

async function isSignedBy(entry: ExternalCrl, issuer: ParsedCertificate): Promise<boolean> {
  const known = entry.verifiedBy.get(issuer.fingerprint256);
  if (known !== undefined) return known;
  const verdict = await entry.crl.verify({ publicKey: issuer.peculiar }).catch(() => false);
  entry.verifiedBy.set(issuer.fingerprint256, verdict);
  return verdict;
}
