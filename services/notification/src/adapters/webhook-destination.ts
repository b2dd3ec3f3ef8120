import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { buildConnector } from 'undici';

/**
 * Where webhooks may go: any public address, never loopback, private, link-local, CGNAT, multicast or
 * reserved ranges (so never Vigil's own services, a cloud metadata endpoint or the LAN) unless an entry
 * of `allow` names it. Entries: `host:port` (`127.0.0.1:9000`, `[::1]:9000`) or a CIDR (`10.1.0.0/16`,
 * every port). The check runs on the resolved address at connect time, so DNS cannot point a public
 * name at a private address after it was accepted.
 */
export interface WebhookDestinationPolicy {
  /** Why `address:port` may not be called, or undefined when it may. */
  refuse(address: string, port: number): string | undefined;
  /** An undici connector that refuses a forbidden resolved address before connecting. */
  connector: buildConnector.connector;
}

export class DestinationRefused extends Error {
  readonly code = 'WEBHOOK_DESTINATION_REFUSED';
}

const NON_PUBLIC_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const NON_PUBLIC_V6: ReadonlyArray<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];

const nonPublic = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(net, prefix, 'ipv6');

/** `::ffff:10.0.0.1` is 10.0.0.1: check the IPv4 address it carries. */
function unmap(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** Parses the allow entries; throws naming a bad one (config is checked at boot). */
export function parseAllowEntries(entries: readonly string[]): {
  subnets: BlockList;
  endpoints: Set<string>;
} {
  const subnets = new BlockList();
  const endpoints = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim();
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (cidr && isIP(cidr[1]!) !== 0) {
      subnets.addSubnet(cidr[1]!, Number(cidr[2]), family(cidr[1]!));
      continue;
    }
    const endpoint = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
    if (endpoint && isIP(endpoint[1]!) !== 0 && Number(endpoint[2]) <= 65535) {
      endpoints.add(`${unmap(endpoint[1]!.toLowerCase())}|${Number(endpoint[2])}`);
      continue;
    }
    throw new Error(`not an ip:port or CIDR entry: ${entry}`);
  }
  return { subnets, endpoints };
}

export function createWebhookDestinationPolicy(allow: readonly string[] = []): WebhookDestinationPolicy {
  const allowed = parseAllowEntries(allow);
  const refuse = (address: string, port: number): string | undefined => {
    const ip = unmap(address.toLowerCase());
    if (isIP(ip) === 0) return 'not an IP address';
    if (allowed.endpoints.has(`${ip}|${port}`) || allowed.subnets.check(ip, family(ip))) return undefined;
    if (nonPublic.check(ip, family(ip))) return 'a loopback, private, link-local or reserved address';
    return undefined;
  };
  const lookupFor = (port: number) =>
    ((hostname: string, options: unknown, callback: unknown) => {
      const cb = (typeof options === 'function' ? options : callback) as (
        err: NodeJS.ErrnoException | null,
        address: string | LookupAddress[],
        family?: number,
      ) => void;
      dnsLookup(hostname, { all: true }, (err, addresses) => {
        if (err) {
          cb(err, []);
          return;
        }
        // Every address the name resolves to must be allowed: a connection may use any of them.
        for (const { address } of addresses) {
          const why = refuse(address, port);
          if (why !== undefined) {
            cb(new DestinationRefused(`webhook destination refused: the host resolves to ${why}`), []);
            return;
          }
        }
        if ((options as { all?: boolean } | undefined)?.all === true) cb(null, addresses);
        else cb(null, addresses[0]!.address, addresses[0]!.family);
      });
    }) as unknown as typeof dnsLookup;
  // net.connect skips `lookup` for IP literals and takes one lookup for all ports, so the connector checks
  // literals itself and builds a per-port lookup.
  const connector: buildConnector.connector = (options, callback) => {
    const port = Number(options.port || (options.protocol === 'https:' ? 443 : 80));
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const why = refuse(host, port);
      if (why !== undefined) {
        callback(new DestinationRefused(`webhook destination refused: ${why}`), null);
        return;
      }
    }
    buildConnector({ lookup: lookupFor(port) } as buildConnector.BuildOptions)(options, callback);
  };
  return { refuse, connector };
}

/** Resolves `url`'s host (or takes its IP literal) and says why it may not be called, or undefined. */
export async function checkWebhookUrl(
  url: string,
  policy: WebhookDestinationPolicy,
): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http(s) URLs';
  if (parsed.username !== '' || parsed.password !== '') return 'credentials in the URL are not allowed';
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return policy.refuse(host, port);
  const addresses = await new Promise<LookupAddress[] | undefined>((resolve) =>
    dnsLookup(host, { all: true }, (err, found) => resolve(err ? undefined : found)),
  );
  if (addresses === undefined || addresses.length === 0) return 'the host does not resolve';
  for (const { address } of addresses) {
    const why = policy.refuse(address, port);
    if (why !== undefined) return why;
  }
  return undefined;
}
