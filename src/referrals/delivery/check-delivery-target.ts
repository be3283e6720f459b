// Decides whether a partner's push address may be called at all, and pins the address that was checked.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { GatewayError } from '../../kernel/index.js';
import { isAddressListed, isHostAllowed } from './allowed-hosts.js';
import type { DeliverySettings } from './delivery-settings.js';
import { isRestrictedAddress } from './restricted-addresses.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has; injected so tests control DNS. */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const resolveWithSystemDns: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/** A destination that passed every check: the URL and the one address the connection must use. */
export interface DeliveryTarget {
  readonly url: URL;
  readonly address: ResolvedAddress;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const notAllowed = (why: string): GatewayError =>
  new GatewayError('ENLACE_DELIVERY_ENDPOINT_NOT_ALLOWED', `endpoint not allowed: ${why}`);

/**
 * Throws ENLACE_DELIVERY_ENDPOINT_NOT_ALLOWED for an address the gateway must not call; a DNS
 * failure is thrown as is (it may be transient). The returned address is the one to connect to,
 * so a second, different DNS answer cannot redirect the push (DNS rebinding).
 */
export async function checkDeliveryTarget(
  address: string,
  settings: Pick<DeliverySettings, 'allowedHosts' | 'allowLoopbackHttp'>,
  resolveHost: ResolveHost,
): Promise<DeliveryTarget> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw notAllowed('not an absolute URL');
  }
  // Why: credentials in a URL would be sent to whoever answers, and they do not belong in the registry.
  if (url.username !== '' || url.password !== '') throw notAllowed('the URL carries credentials');
  // Why: case data leaves only over TLS; plain http is a development convenience on this machine.
  const loopbackHttp =
    url.protocol === 'http:' && settings.allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) throw notAllowed(`${url.protocol} is not https`);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  // Why: a registered address is partner-supplied; only hosts the operator allowed may be called.
  if (!isHostAllowed(settings.allowedHosts, url.hostname, port)) {
    throw notAllowed('the host is not in ENLACE_DELIVERY_ALLOWED_HOSTS');
  }
  const bare = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  const addresses: readonly ResolvedAddress[] =
    family === 0 ? await resolveHost(bare) : [{ address: bare, family: family === 6 ? 6 : 4 }];
  if (addresses.length === 0) throw new Error(`no address for ${bare}`);
  // Why: an allowed name may still resolve into the gateway's own network (metadata service,
  // databases); every answer is checked, since the connection could use any of them.
  for (const candidate of addresses) {
    if (
      isRestrictedAddress(candidate.address) &&
      !isAddressListed(settings.allowedHosts, candidate.address, port)
    ) {
      throw notAllowed('the host resolves to a private, loopback or link-local address');
    }
  }
  const [first] = addresses;
  if (first === undefined) throw new Error(`no address for ${bare}`);
  return { url, address: first };
}
