// The GitLab the soak's CLI talks to: a pass-through proxy on its own local port in front
// of the fake. Armed, it answers a random share of requests with a redirect (301, 302,
// 303, 307 or 308) to the same path on the fake's own port — another origin. What follows
// such a redirect reaches the fake without the proxy's mark, so the soak can count every
// secret that left the configured GitLab (misplaced): the PAT in a header, a runner token
// in a body. A fault the fake injects (a dropped connection) is passed on as a dropped
// connection, never turned into an answer.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rng } from './rng.js';

/** The header the proxy adds: a request without it reached the fake some other way. */
export const FRONT_MARK = 'x-soak-front';

const STATUSES = [301, 302, 303, 307, 308] as const;

export interface Redirector {
  /** http://127.0.0.1:PORT of the proxy: the GitLab URL the CLI is given. */
  url: string;
  /** From now on each request is redirected with `probability`. */
  arm(rng: Rng, probability: number): void;
  disarm(): void;
  /** Redirects answered since arm(), e.g. "307×2 302×1"; '' for none. */
  hits(): string;
  close(): Promise<void>;
}

export async function startRedirector(target: string): Promise<Redirector> {
  const to = new URL(target);
  let armed: { rng: Rng; probability: number } | null = null;
  let hits = new Map<number, number>();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host, [FRONT_MARK]: '1' } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    // The fake dropped the connection (a lost answer, a reset): so does the proxy.
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    if (armed && armed.rng.chance(armed.probability)) {
      const status = armed.rng.pick(STATUSES);
      hits.set(status, (hits.get(status) ?? 0) + 1);
      req.resume();
      res.writeHead(status, { location: `${to.origin}${req.url}`, 'content-length': '0' }).end();
      return;
    }
    forward(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arm: (rng, probability) => {
      armed = { rng, probability };
      hits = new Map();
    },
    disarm: () => {
      armed = null;
    },
    hits: () => [...hits].map(([s, n]) => `${s}×${n}`).join(' '),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Requests that reached the fake without passing the proxy and carried a secret: the PAT, or a runner token in the body. */
export function misplacedSecrets(
  requests: readonly { headers: Record<string, string | string[] | undefined>; body: unknown }[],
  secrets: readonly string[],
): number {
  return requests.filter((r) => {
    if (r.headers[FRONT_MARK] !== undefined) return false;
    const text = JSON.stringify(r.headers) + JSON.stringify(r.body ?? '');
    return secrets.some((s) => text.includes(s)) || /glrt-[A-Za-z0-9_-]{10,}/.test(JSON.stringify(r.body ?? ''));
  }).length;
}
