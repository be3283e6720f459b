// Signs bytes as a compact JWS with a detached payload (RFC 7515 Appendix F): `<protected>..<signature>`.
import { FlattenedSign, type CryptoKey, type JWSHeaderParameters, type KeyObject } from 'jose';
import { isForbiddenSignatureAlgorithm } from './signature-algorithms.js';

export type PrivateSigningKey = CryptoKey | KeyObject;

/** Who signs: a key with its algorithm, named in the header by `kid` or by its certificate chain. */
export type JoseSigner =
  | {
      readonly privateKey: PrivateSigningKey;
      readonly alg: string;
      readonly kid: string;
      readonly x5c?: undefined;
    }
  | {
      readonly privateKey: PrivateSigningKey;
      readonly alg: string;
      /** base64 DER certificates, leaf first. */
      readonly x5c: readonly string[];
      readonly kid?: undefined;
    };

/**
 * The protected header holds `alg` and `kid` or `x5c`, nothing else: every extra parameter is one
 * more thing each partner's verifier must agree on. The payload is base64url-encoded (no b64=false).
 */
export async function signDetached(payload: Uint8Array, signer: JoseSigner): Promise<string> {
  // Why: a programming error here would emit messages nobody can verify, or verify falsely.
  if (isForbiddenSignatureAlgorithm(signer.alg)) {
    throw new TypeError(`the algorithm ${signer.alg} may not sign`);
  }
  const header: JWSHeaderParameters =
    signer.x5c === undefined
      ? { alg: signer.alg, kid: signer.kid }
      : { alg: signer.alg, x5c: [...signer.x5c] };
  const jws = await new FlattenedSign(payload).setProtectedHeader(header).sign(signer.privateKey);
  return `${jws.protected ?? ''}..${jws.signature}`;
}
