// Host name resolution for the connections to GitLab (and its proxy): `*.localhost`
// names are loopback without asking DNS (RFC 6761 §6.3). cli/connection.ts lets the
// token travel over plain http to such a name, so a resolver that answered with
// another host's address would otherwise send it there.
import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

export const localhostLookup: LookupFunction = (hostname, options, callback) => {
  if (!hostname.toLowerCase().replace(/\.$/, '').endsWith('.localhost')) return systemLookup(hostname, options, callback);
  const v6 = options.family === 6 || options.family === 'IPv6';
  const v4 = options.family === 4 || options.family === 'IPv4';
  const ipv4: LookupAddress = { address: '127.0.0.1', family: 4 };
  const ipv6: LookupAddress = { address: '::1', family: 6 };
  const all = v6 ? [ipv6] : v4 ? [ipv4] : [ipv4, ipv6];
  const first = v6 ? ipv6 : ipv4;
  process.nextTick(() => {
    if (options.all) (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, all);
    else callback(null, first.address, first.family);
  });
};
