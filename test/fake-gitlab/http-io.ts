// Request-body parsing and GitLab-style error answers.
import type { IncomingMessage } from 'node:http';

export type Params = Record<string, unknown>;

/** An error answer; handlers throw it and the server renders it as JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(JSON.stringify(body));
    this.name = 'ApiError';
  }
}

/** `{"message":"403 Forbidden - reason"}` etc., the shape of GitLab's API helpers. */
export const errors = {
  badRequest: (reason: string) => new ApiError(400, { message: `400 Bad request - ${reason}` }),
  /** Grape parameter validation: `{"error":"group_id is missing"}`. */
  param: (text: string) => new ApiError(400, { error: text }),
  validation: (attrs: Record<string, string[]>) => new ApiError(400, { message: attrs }),
  unauthorized: () => new ApiError(401, { message: '401 Unauthorized' }),
  forbidden: (reason?: string) => new ApiError(403, { message: reason ? `403 Forbidden - ${reason}` : '403 Forbidden' }),
  notFound: (what: string) => new ApiError(404, { message: `404 ${what} Not Found` }),
  routeNotFound: () => new ApiError(404, { error: '404 Not Found' }),
  insufficientScope: (scopes: string[]) =>
    new ApiError(403, {
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: scopes.join(' '),
    }),
};

export async function readRaw(req: IncomingMessage, limit = 20 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, { message: '413 Request Entity Too Large' });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form fields; `a[]=x&a[]=y` become arrays as Rack does. */
export function parseForm(text: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (k.endsWith('[]')) {
      const key = k.slice(0, -2);
      const prev = out[key];
      out[key] = Array.isArray(prev) ? [...prev, v] : [v];
    } else {
      out[k] = v;
    }
  }
  return out;
}

export function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('application/json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw errors.param('The provided content-type \'application/json\' is not supported or the body is malformed');
    }
  }
  if (ct.includes('application/x-www-form-urlencoded')) return parseForm(raw);
  return raw;
}

// ------------------------------------------------------------ Grape-like coercion

export function present(p: Params, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(p, key);
}

/** Grape's Boolean coercion; undefined when invalid. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 't', '1', 'yes', 'y'].includes(s)) return true;
    if (['false', 'f', '0', 'no', 'n'].includes(s)) return false;
  }
  return undefined;
}

/** Grape's Integer coercion; undefined when invalid. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/** GitLab's CommaSeparatedToArray: a JSON array or "a,b,c"; trimmed, blanks dropped, no duplicates. */
export function toTagList(v: unknown): string[] | undefined {
  let items: unknown[];
  if (Array.isArray(v)) items = v.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x]));
  else if (typeof v === 'string') items = v.split(',');
  else if (v === null) items = [];
  else return undefined;
  if (!items.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
  const out: string[] = [];
  for (const x of items) {
    const t = String(x).trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

/** Rails' Array#to_sentence. */
export function toSentence(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  if (parts.length === 2) return `${parts[0]} and ${parts[1]}`;
  return `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}`;
}
