// A plain HTTP server on 127.0.0.1 for client tests that need answers the fake GitLab never
// gives (hostile, silent, redirecting, another host): it records every request with its whole
// body, then hands it to the test's handler.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface LocalServer {
  url: string;
  /** Every request, in the order its body ended. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Listens on a free port; `handler` runs once the request's body has been read (it may never answer). */
export async function listenLocal(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LocalServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString() });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        // Clients keep connections alive (and a silent server never ends its requests): do not wait for them.
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
