// HTTPS_PROXY / HTTP_PROXY / NO_PROXY support: picks the agents got uses.
// Node's http stack ignores these variables, so corporate networks that only
// reach gitlab.com through a proxy need this.
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { localhostLookup } from './localhost-lookup.js';

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * True when NO_PROXY excludes `target` from proxying. Entries are separated by
 * commas or spaces; `*` matches everything; `example.com`, `.example.com` and
 * `*.example.com` match the domain and its subdomains; `host:port` limits the port.
 */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || defaultPort(target.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    // host:port or [v6]:port; a bare IPv6 address has several colons and no port.
    let entryPort: string | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    const [, hostPart, portPart] = m ?? [];
    if (hostPart !== undefined) {
      entry = hostPart;
      entryPort = portPart;
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy URL to use for `target` under `env`, or undefined for a direct connection. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy = target.protocol === 'https:' ? envVar(env, 'HTTPS_PROXY') : envVar(env, 'HTTP_PROXY');
  if (!proxy) return undefined;
  if (bypassesProxy(target, envVar(env, 'NO_PROXY'))) return undefined;
  return proxy;
}

/** Keep-alive agents for `target`, going through the proxy the environment names. */
export function agentsFor(target: URL, env: NodeJS.ProcessEnv): Agents {
  const proxy = proxyFor(target, env);
  // Agent options reach every socket it opens: `*.localhost` connects to loopback only.
  const base = { keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' as const, lookup: localhostLookup };
  if (!proxy) return { http: new http.Agent(base), https: new https.Agent(base) };
  return {
    http: new HttpProxyAgent({ ...base, proxy }),
    https: new HttpsProxyAgent({ ...base, proxy }),
  };
}

/** The proxy URL without credentials, for debug output. */
export function describeProxy(proxy: string): string {
  try {
    const u = new URL(proxy);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable proxy URL)';
  }
}
