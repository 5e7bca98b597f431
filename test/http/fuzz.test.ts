// Malformed variants of every request in /openapi.json, anonymous and signed in:
// no answer may be a 5xx, and every error must be a problem document with a code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_PASSWORD, demoEmail } from '../../examples/demo/seed.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { logIn } from '../helpers/tokens.js';

const SEED = 0x6a7e;
const VARIANTS_PER_OPERATION = 24;
const CONCURRENCY = 8;

/** mulberry32: a fixed seed gives the same run every time. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
}
interface Operation {
  method: string;
  path: string;
  access: unknown;
  body: JsonSchema | undefined;
  query: string[];
}

/** Ids that cannot be ids: NUL and controls, bad escapes, over-long, traversal, odd Unicode. */
const badIds = [
  '%00',
  'a%00b',
  '%01%1F',
  '%zz',
  '%E0%A4%A',
  '%C0%80',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '..%2F..%2Fetc%2Fpasswd',
  '%20',
  '-',
  '0',
  '00000000-0000-0000-0000-000000000000',
  'x'.repeat(65),
  'x'.repeat(101),
  'x'.repeat(3000),
  '%u0000',
  "'%20OR%201=1--",
  '__proto__',
  'constructor',
];

/** Values that are wrong for almost any field. */
const badValues: unknown[] = [
  null,
  0,
  -1,
  Number.MAX_VALUE,
  2 ** 53 + 2,
  1.5,
  true,
  [],
  [[[]]],
  {},
  JSON.parse('{"__proto__":{"admin":true}}'),
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u001f\u007f',
  '\t\n\r',
  '\u202e\u200b',
  '\ud800',
  '\udc00x',
  'x'.repeat(10_000),
  '😀'.repeat(3_000),
  'admin',
  'a@b',
  '$' + '{jndi:ldap://x}',
  '<script>alert(1)</script>',
];

/** Whole bodies that are not what any route takes, sent raw. */
const rawBodies = [
  '',
  '{',
  '{"a":',
  '[1,2',
  'nul',
  'undefined',
  '{"a":"\\ud800"}',
  '{"a":"\\x41"}',
  '{"a":"\\u00"}',
  '{"a":"\\',
  '"\\ud800\\udc00"',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"a":2}',
  `${'['.repeat(3000)}${']'.repeat(3000)}`,
  `{"a":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`,
  '[]',
  '[{}]',
  '123',
  '"string"',
  'true',
  `{"k":"${'x'.repeat(70 * 1024)}"}`,
  '\u0000',
  '\uFEFF{}',
];

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json, text/plain',
  '',
];

/** Headers a hostile client sends, credentials among them. */
const badHeaders: Array<Record<string, string>> = [
  { authorization: 'Bearer ' },
  { authorization: 'Bearer not.a.jwt' },
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
  { authorization: `Bearer gth_live_${'0'.repeat(16)}_${'0'.repeat(72)}` },
  { authorization: 'Bearer gth_' },
  { authorization: `Basic ${Buffer.from('a\u0000@example.com:x').toString('base64')}` },
  { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` },
  { authorization: 'Basic !!!' },
  { authorization: 'Negotiate abc' },
  { 'x-api-key': 'gth_live_zz' },
  { 'x-api-key': 'x'.repeat(2000) },
  { cookie: '__Host-gh_session=%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00' },
  { cookie: `__Host-gh_session=${'A'.repeat(43)}; __Secure-gh_refresh=%zz` },
  { cookie: '__Host-gh_session="unterminated' },
  { 'x-csrf-token': '\u00e9\u00ff' },
  { 'user-agent': `fuzz \u00e9\u00ff ${'u'.repeat(1000)}` },
  { 'x-forwarded-for': '999.999.999.999, ::ffff:zz' },
  { 'x-big': 'h'.repeat(20_000) },
  { origin: 'null' },
];

const badQueries = [
  'limit=-1',
  'limit=%00',
  'limit=1e309',
  'limit=1&limit=2',
  'offset=NaN',
  'userId=%00',
  'type=a%09b',
  'a[b]=1',
  '__proto__=1',
  'constructor[prototype][admin]=1',
  'x=%zz',
  `q=${'q'.repeat(8_000)}`,
  'api_key=gth_live_secret',
];

/** A body of the right shape whose fields are all plausible, for one field to be spoiled. */
function plausible(schema: JsonSchema | undefined): unknown {
  if (!schema) return 'x';
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf?.[0]) return plausible(schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object')
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([k, v]) => [k, plausible(v)]),
    );
  if (type === 'array') return [plausible(schema.items)];
  if (type === 'integer' || type === 'number') return 1;
  if (type === 'boolean') return true;
  if (schema.format === 'email') return `fuzz${Math.floor(random() * 1e6)}@example.com`;
  if (schema.format === 'date-time') return '2030-01-01T00:00:00Z';
  return 'fuzz';
}

/** Percent-encodes a value; a lone surrogate has no UTF-8, so it goes as the bytes one would be. */
const encodeValue = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

interface Variant {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** One malformed request for an operation: a bad id, query, body or header, chosen by the seed. */
function variant(op: Operation): Variant {
  const path = op.path.replace(/\{[^}]+\}/g, () => pick(badIds));
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let query = '';
  const hasBody = op.method !== 'GET';
  const roll = random();
  if (roll < 0.1) query = `?${pick(badQueries)}`;
  else if (roll < 0.2) Object.assign(headers, pick(badHeaders));
  else if (hasBody && roll < 0.5) {
    body = pick(rawBodies);
    headers['content-type'] = pick(contentTypes.slice(0, 3));
  } else if (hasBody && roll < 0.6) {
    body = JSON.stringify(plausible(op.body));
    headers['content-type'] = pick(contentTypes);
  } else if (hasBody) {
    const value = plausible(op.body);
    const fields = Object.keys(value && typeof value === 'object' ? value : {});
    const spoilt =
      fields.length > 0 && random() < 0.8
        ? { ...(value as object), [pick(fields)]: pick(badValues) }
        : pick([pick(badValues), { ...(value as object), [pick(['__proto__', 'x', 'ü'])]: 1 }]);
    body = JSON.stringify(spoilt);
    headers['content-type'] = 'application/json';
  } else if (op.query.length > 0) {
    query = `?${pick(op.query)}=${encodeValue(String(pick(badValues)))}`;
  } else query = `?${pick(badQueries)}`;
  if (headers['content-type'] === '') delete headers['content-type'];
  return { method: op.method, path: `${path}${query}`, headers, body };
}

interface Caller {
  name: string;
  headers(method: string): Record<string, string>;
}

let demo: DemoServer;
let callers: Caller[];
let operations: Operation[];
beforeAll(async () => {
  demo = await startDemoServer();
  const alice = await logIn(demo.server, demoEmail('alice'), DEFAULT_DEMO_PASSWORD);
  const cookie = [...alice.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = alice.client.csrfToken as string;
  callers = [
    { name: 'anonymous', headers: () => ({}) },
    {
      name: 'session',
      headers: (method) => ({ cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) }),
    },
    { name: 'bearer', headers: () => ({ authorization: `Bearer ${alice.accessToken}` }) },
  ];
  const doc = (await (await fetch(`${demo.server.url}/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<
        string,
        {
          'x-access': unknown;
          parameters: Array<{ name: string; in: string }>;
          requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
        }
      >
    >;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      access: op['x-access'],
      body: op.requestBody?.content['application/json'].schema,
      query: op.parameters.filter((p) => p.in === 'query').map((p) => p.name),
    })),
  );
});
afterAll(async () => demo.server.stop());

/** Requests that would end the signed-in caller's own session and make the rest of the run anonymous. */
const endsOwnSession = (op: Operation, caller: Caller) =>
  caller.name !== 'anonymous' &&
  ['POST /auth/logout', 'POST /auth/sessions/revoke-others'].includes(`${op.method} ${op.path}`);

interface Outcome {
  label: string;
  status: number;
  contentType: string;
  code: unknown;
}

async function send(caller: Caller, v: Variant): Promise<Outcome> {
  const label = `${caller.name} ${v.method} ${v.path.slice(0, 120)} ${JSON.stringify(v.headers).slice(0, 120)} ${String(v.body).slice(0, 120)}`;
  const response = await fetch(`${demo.server.url}${v.path}`, {
    method: v.method,
    headers: { ...caller.headers(v.method), ...v.headers },
    body: v.body,
  }).catch((error: unknown) => ({ error }));
  if ('error' in response)
    return {
      label: `${label}: ${String(response.error)}`,
      status: 0,
      contentType: '',
      code: undefined,
    };
  const text = await response.text();
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  return {
    label,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    code,
  };
}

/** Runs the tasks a few at a time, as concurrent clients would. */
async function pool<T>(tasks: Array<() => Promise<T>>, size: number): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++] as () => Promise<T>;
        results.push(await task());
      }
    }),
  );
  return results;
}

describe('fuzzing every route', () => {
  it('answers every malformed request with a 4xx problem document, never a 5xx', async () => {
    expect(operations.length).toBeGreaterThan(20);
    const tasks: Array<() => Promise<Outcome>> = [];
    for (const op of operations) {
      for (const caller of callers) {
        if (endsOwnSession(op, caller)) continue;
        for (let i = 0; i < VARIANTS_PER_OPERATION; i++) {
          const v = variant(op);
          tasks.push(() => send(caller, v));
        }
      }
    }
    const outcomes = await pool(tasks, CONCURRENCY);
    expect(outcomes.length).toBeGreaterThan(2000);
    const broken = outcomes.filter(
      (o) =>
        o.status === 0 ||
        o.status >= 500 ||
        (o.status >= 400 &&
          (!o.contentType.startsWith('application/problem+json') || typeof o.code !== 'string')),
    );
    expect(broken.map((o) => `${o.status} ${String(o.code)} ${o.label}`)).toEqual([]);
    // The signed-in callers got past authentication: the run was not anonymous throughout.
    const signedIn = outcomes.filter((o) => !o.label.startsWith('anonymous'));
    expect(signedIn.filter((o) => o.status !== 401).length).toBeGreaterThan(signedIn.length / 2);
    expect(demo.server.logs.join('')).not.toContain('unhandled error');
  }, 120_000);

  it('leaves the signed-in caller signed in', async () => {
    for (const caller of callers.slice(1)) {
      const me = await fetch(`${demo.server.url}/auth/me`, { headers: caller.headers('GET') });
      expect(me.status, caller.name).toBe(200);
    }
  });
});
