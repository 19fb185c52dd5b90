/**
 * Classifies host names that point into a private network or at the local computer. A link to
 * such a host in public gallery metadata is useless to the public and discloses internal names.
 */

interface Ipv4Range {
  network: number;
  prefixLength: number;
  label: string;
}

// Address blocks from the IANA special-purpose registries (RFC 6890) that never reach a public
// service: RFC 1918 private networks, RFC 6598 shared address space, loopback, link-local and
// "this network".
const PRIVATE_IPV4_RANGES: Ipv4Range[] = [
  { network: ipv4Number(0, 0, 0, 0), prefixLength: 8, label: 'a "this network" address' },
  { network: ipv4Number(10, 0, 0, 0), prefixLength: 8, label: 'a private address (RFC 1918)' },
  {
    network: ipv4Number(100, 64, 0, 0),
    prefixLength: 10,
    label: 'a carrier-grade NAT address (RFC 6598)',
  },
  { network: ipv4Number(127, 0, 0, 0), prefixLength: 8, label: 'a loopback address' },
  { network: ipv4Number(169, 254, 0, 0), prefixLength: 16, label: 'a link-local address' },
  { network: ipv4Number(172, 16, 0, 0), prefixLength: 12, label: 'a private address (RFC 1918)' },
  { network: ipv4Number(192, 168, 0, 0), prefixLength: 16, label: 'a private address (RFC 1918)' },
];

// Suffixes of names that resolve only inside an organization or on the local computer:
// `.local` (mDNS, RFC 6762), `.home.arpa` (RFC 8375), `.internal` (reserved by ICANN for private
// use) and names in common use for intranets and Linux hosts files.
const INTERNAL_NAME_SUFFIXES = [
  'local',
  'internal',
  'corp',
  'lan',
  'intranet',
  'home.arpa',
  'localdomain',
];

const IPV4_DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Describes why a host is private, such as `a loopback address`, or returns undefined for a
 * public host. Expects `URL.hostname` as the WHATWG URL parser returns it: lowercase, IPv4 in
 * dotted decimal, IPv6 in brackets. A trailing dot is ignored.
 */
export function describePrivateHost(hostname: string): string | undefined {
  const host = hostname.replace(/\.+$/, '');
  if (host === '') return undefined;
  if (host.startsWith('[') && host.endsWith(']')) return describeIpv6(host.slice(1, -1));

  const octets = IPV4_DOTTED.exec(host);
  if (octets) {
    return describeIpv4(ipv4Number(...octets.slice(1).map(Number)));
  }
  return describeName(host);
}

function describeIpv4(address: number): string | undefined {
  for (const range of PRIVATE_IPV4_RANGES) {
    const mask = range.prefixLength === 0 ? 0 : (~0 << (32 - range.prefixLength)) >>> 0;
    if ((address & mask) >>> 0 === range.network) return range.label;
  }
  return undefined;
}

function describeIpv6(text: string): string | undefined {
  const groups = parseIpv6(text);
  if (!groups) return undefined;

  const [first = 0] = groups;
  const upperZero = groups.slice(0, 5).every((group) => group === 0);
  if (groups.every((group) => group === 0)) return 'the unspecified IPv6 address';
  if (upperZero && groups[5] === 0 && groups[6] === 0 && groups[7] === 1) {
    return 'the IPv6 loopback address';
  }
  if ((first & 0xffc0) === 0xfe80) return 'a link-local IPv6 address';
  if ((first & 0xffc0) === 0xfec0) return 'a site-local IPv6 address';
  if ((first & 0xfe00) === 0xfc00) return 'a unique local IPv6 address';

  // An IPv4-mapped address (::ffff:a.b.c.d) reaches the IPv4 host it embeds.
  if (upperZero && groups[5] === 0xffff) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    const ipv4Label = describeIpv4(((high << 16) | low) >>> 0);
    return ipv4Label ? `an IPv4-mapped IPv6 address of ${ipv4Label}` : undefined;
  }
  return undefined;
}

function describeName(host: string): string | undefined {
  // RFC 6761 reserves `localhost` and every name under it for the local computer.
  const labels = host.split('.');
  if (labels[labels.length - 1] === 'localhost') return 'the local computer';

  const suffix = INTERNAL_NAME_SUFFIXES.find(
    (candidate) => host === candidate || host.endsWith(`.${candidate}`),
  );
  if (suffix) return `an internal name (.${suffix})`;
  if (labels.length === 1) return 'a single-label name that resolves only in a private network';
  return undefined;
}

/** Parses the hexadecimal IPv6 form that `URL.hostname` returns into eight 16-bit groups. */
function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;

  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;

  const parts = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  const groups = parts.map((part) => (/^[0-9a-f]{1,4}$/i.test(part) ? parseInt(part, 16) : NaN));
  return groups.some(Number.isNaN) ? undefined : groups;
}

function ipv4Number(...octets: number[]): number {
  return octets.reduce((address, octet) => address * 256 + (octet & 0xff), 0) >>> 0;
}
