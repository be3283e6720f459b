// The extensions every CA certificate of the network carries (RFC 5280 §4.2.1).
import { x509 } from './x509.js';
import type { CryptoKey } from './x509.js';

/**
 * basicConstraints critical with cA true (pathLen bounds the CAs below), keyUsage critical with
 * keyCertSign and cRLSign only, and key identifiers so validators can pick the right issuer key.
 */
export async function buildCaExtensions(
  publicKey: CryptoKey,
  pathLength: number,
  authorityKeyId: string,
): Promise<x509.Extension[]> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(publicKey);
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(authorityKeyId === '' ? ski.keyId : authorityKeyId),
  ];
}

export async function keyIdOf(publicKey: CryptoKey): Promise<string> {
  return (await x509.SubjectKeyIdentifierExtension.create(publicKey)).keyId;
}
