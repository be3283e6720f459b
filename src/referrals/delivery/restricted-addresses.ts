// Addresses a push must not reach unless the operator listed them: private, loopback, link-local, metadata.
import { BlockList, isIP } from 'node:net';

const restricted = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  // 169.254.169.254 is the cloud metadata service: the classic SSRF target.
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  restricted.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  restricted.addSubnet(network, prefix, 'ipv6');
}

/** True for an address inside the private, loopback, link-local, metadata or reserved ranges (or not an IP at all). */
export function isRestrictedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // Why: an IPv4-mapped address (::ffff:127.0.0.1) would smuggle loopback or 10/8 past the IPv4
  // rules; no partner needs one. (BlockList would match every IPv4 address against ::ffff:0:0/96.)
  if (family === 6 && address.toLowerCase().startsWith('::ffff:')) return true;
  return restricted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
