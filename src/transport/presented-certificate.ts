// The client certificate a request's TLS connection carried, in x5c form, read once per connection.
import type { Socket } from 'node:net';
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import type { PresentedCertificate } from '../kernel/index.js';

/** More certificates than a partner's chain ever holds; the PKI bounds the chain again. */
const MAX_CHAIN = 8;

const byConnection = new WeakMap<TLSSocket, PresentedCertificate | null>();

/** Node's types promise an issuer link on every certificate; an unverified chain may lack one. */
const isPeer = (value: unknown): value is DetailedPeerCertificate =>
  typeof value === 'object' && value !== null && Buffer.isBuffer((value as { raw?: unknown }).raw);

function chainOf(peer: DetailedPeerCertificate): string[] {
  const x5c = [peer.raw.toString('base64')];
  let current = peer;
  while (x5c.length < MAX_CHAIN) {
    const issuer: unknown = current.issuerCertificate;
    // A self-signed root is its own issuer: the chain ends there.
    if (!isPeer(issuer) || issuer === current || issuer.raw.equals(current.raw)) break;
    x5c.push(issuer.raw.toString('base64'));
    current = issuer;
  }
  return x5c;
}

/** Undefined on plain HTTP or when the client sent no certificate. */
export function presentedCertificateOf(socket: Socket): PresentedCertificate | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const known = byConnection.get(socket);
  if (known !== undefined) return known ?? undefined;
  const peer = socket.getPeerCertificate(true);
  // Node returns an empty object when the peer sent no certificate.
  const presented: PresentedCertificate | null =
    Object.keys(peer).length === 0 || !Buffer.isBuffer(peer.raw)
      ? null
      : { x5c: chainOf(peer), authorized: socket.authorized };
  byConnection.set(socket, presented);
  return presented ?? undefined;
}
