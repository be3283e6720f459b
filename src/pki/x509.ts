// The one entry to @peculiar/x509: installs its reflect polyfill and Node's WebCrypto before first use.
// Why the side-effect import first: @peculiar/x509 resolves its algorithm providers through tsyringe,
// which throws at load time without a Reflect metadata polyfill. ES modules evaluate imports in order.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export { x509 };
export const subtle = webcrypto.subtle;
