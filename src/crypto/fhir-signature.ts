// The FHIR R4 Signature datatype carrying a detached JWS: building it, and reading its JWS back out.
import type { Coding, Reference, Signature } from '@medplum/fhirtypes';

export const JOSE_SIG_FORMAT = 'application/jose';

/** ASTM E1762-95 "Author's Signature": the sender vouches for the content it signed. */
export const AUTHOR_SIGNATURE_TYPE = {
  system: 'urn:iso-astm:E1762-95:2013',
  code: '1.2.840.10065.1.12.1.1',
  display: "Author's Signature",
} as const;

export type SignatureWho = Signature['who'];

export interface JoseSignatureOptions {
  /** Defaults to Author's Signature; a Provenance may say e.g. Source Signature. */
  readonly type?: readonly Coding[];
  /** The media type of what was signed, e.g. `application/fhir+json`. */
  readonly targetFormat?: string;
}

/** A Signature whose `data` is base64 of the compact detached JWS, as FHIR base64Binary requires. */
export function buildJoseSignature(
  jws: string,
  who: Reference,
  when: Date,
  options: JoseSignatureOptions = {},
): Signature {
  return {
    type: options.type === undefined ? [{ ...AUTHOR_SIGNATURE_TYPE }] : [...options.type],
    when: when.toISOString(),
    who: who as SignatureWho,
    ...(options.targetFormat === undefined ? {} : { targetFormat: options.targetFormat }),
    sigFormat: JOSE_SIG_FORMAT,
    data: Buffer.from(jws, 'ascii').toString('base64'),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A compact JWS is at most this long: a header, a certificate chain and an RSA-4096 signature fit. */
const MAX_DATA_LENGTH = 256 * 1024;

/** The compact JWS inside a Signature; throws an Error naming what is wrong with the element. */
export function readJoseSignature(signature: Signature | undefined): string {
  if (signature === undefined) throw new Error('there is no signature');
  // Why: another format (XML-DSig, a PDF signature) cannot be checked here and must not pass as checked.
  if (signature.sigFormat !== JOSE_SIG_FORMAT) throw new Error('sigFormat is not application/jose');
  const data = signature.data;
  if (typeof data !== 'string' || data.length === 0 || data.length > MAX_DATA_LENGTH) {
    throw new Error('data is missing or too long');
  }
  // Why: strict base64, so one signature has one spelling and no stray characters are skipped.
  if (!BASE64.test(data)) throw new Error('data is not base64');
  return Buffer.from(data, 'base64').toString('latin1');
}

/** The signing instant as a Date; throws when `when` is not a FHIR instant with a time zone. */
export function readSignatureTime(signature: Signature): Date {
  const when = signature.when;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(when)) {
    throw new Error('when is not an instant');
  }
  const time = new Date(when);
  if (Number.isNaN(time.getTime())) throw new Error('when is not a valid instant');
  return time;
}
