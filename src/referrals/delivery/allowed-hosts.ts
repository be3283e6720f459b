// The operator's allow-list of push destinations: exact host[:port] entries and *.suffix wildcards.
import { BlockList, isIP } from 'node:net';
import { GatewayError } from '../../kernel/index.js';

interface HostPattern {
  /** Lowercase host, IPv6 without brackets; for a wildcard, the suffix after `*.`. */
  readonly host: string;
  readonly wildcard: boolean;
  /** Undefined: the scheme's default port only. */
  readonly port: number | undefined;
}

export interface AllowedHosts {
  readonly patterns: readonly HostPattern[];
  /** IP addresses listed literally, with their port: the only private or loopback addresses a push may reach. */
  readonly literalAddresses: readonly { readonly address: BlockList; readonly port: number }[];
}

const DEFAULT_PORT = 443;

const ENTRY = /^(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?$/;

/** Parses `host[:port]` patterns; throws on a malformed one rather than guessing what was meant. */
export function parseAllowedHosts(entries: readonly string[]): AllowedHosts {
  const literalAddresses: { address: BlockList; port: number }[] = [];
  const patterns = entries.map((raw): HostPattern => {
    const entry = raw.trim().toLowerCase();
    const match = ENTRY.exec(entry);
    const port = match?.[3] === undefined ? undefined : Number(match[3]);
    if (match?.[2] === undefined || (port !== undefined && (port < 1 || port > 65535))) {
      throw new GatewayError(
        'ENLACE_INVALID_PARAMETER',
        `Allowed delivery host ${JSON.stringify(raw.slice(0, 64))} is not host[:port].`,
      );
    }
    const host = match[2].replace(/^\[(.*)\]$/, '$1');
    const wildcard = match[1] !== undefined;
    const family = isIP(host);
    if (!wildcard && family !== 0) {
      const address = new BlockList();
      address.addAddress(host, family === 6 ? 'ipv6' : 'ipv4');
      literalAddresses.push({ address, port: port ?? DEFAULT_PORT });
    }
    return { host, wildcard, port };
  });
  return { patterns, literalAddresses };
}

/** Whether a URL's host and port match an entry; `*.example.org` matches subdomains, not the apex. */
export function isHostAllowed(allowed: AllowedHosts, hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return allowed.patterns.some((pattern) => {
    if ((pattern.port ?? DEFAULT_PORT) !== port) return false;
    return pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
  });
}

/** Whether the operator listed this very address and port, which lets a push reach it even when private. */
export function isAddressListed(allowed: AllowedHosts, address: string, port: number): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return allowed.literalAddresses.some(
    (entry) => entry.port === port && entry.address.check(address, family === 6 ? 'ipv6' : 'ipv4'),
  );
}
