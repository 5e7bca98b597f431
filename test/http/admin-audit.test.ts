import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAuditEvent } from '../../src/store/repositories/audit-events.js';
import { signedInUser, strongPassword } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startTestServer();
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface EventRow {
  id: number;
  at: string;
  type: string;
  outcome: string;
  userId: string | null;
  userAgent: string | null;
}
interface AuditPage {
  events: EventRow[];
  next: string | null;
}

const record = (
  userId: string,
  at: number,
  event: { type?: 'login' | 'logout'; outcome?: 'success' | 'failure'; userAgent?: string } = {},
) =>
  recordAuditEvent(
    server.core.store.db,
    {
      type: event.type ?? 'login',
      outcome: event.outcome ?? 'success',
      userId,
      ip: '203.0.113.7',
      userAgent: event.userAgent ?? 'agent',
    },
    at,
  );

const iso = (at: number) => new Date(at).toISOString();

/** RFC 4180 read back: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  expect(cell, 'the file ends with CRLF').toBe('');
  return rows;
}

describe('GET /admin/audit: filters', () => {
  it('filters by user and outcome: failed logins only', async () => {
    const { email, userId } = await signedInUser(server);
    const wrong = await new Client(server.url).post('/auth/login', { email, password: 'nope' });
    expect(wrong.status).toBe(401);
    const failed = await admin.get<AuditPage>(`/admin/audit?userId=${userId}&outcome=failure`);
    expect(failed.status).toBe(200);
    expect(failed.body.events.map((e) => [e.type, e.outcome])).toEqual([['login', 'failure']]);
    const succeeded = await admin.get<AuditPage>(
      `/admin/audit?userId=${userId}&outcome=success&type=login`,
    );
    expect(succeeded.body.events.map((e) => [e.type, e.outcome])).toEqual([['login', 'success']]);
  });

  it('filters by time: from is inclusive, to exclusive; pages keep the filters', async () => {
    const userId = randomUUID();
    const base = 1_800_000_000_000;
    for (let i = 0; i < 6; i++) await record(userId, base + i * 1000);
    const range = `userId=${userId}&from=${iso(base + 1000)}&to=${iso(base + 5000)}`;
    const all = await admin.get<AuditPage>(`/admin/audit?${range}`);
    expect(all.body.events.map((e) => e.at)).toEqual([4, 3, 2, 1].map((i) => iso(base + i * 1000)));
    const first = await admin.get<AuditPage>(`/admin/audit?${range}&limit=3`);
    expect(first.body.next).toBeTruthy();
    const second = await admin.get<AuditPage>(
      `/admin/audit?${range}&limit=3&before=${first.body.next}`,
    );
    expect([...first.body.events, ...second.body.events].map((e) => e.id)).toEqual(
      all.body.events.map((e) => e.id),
    );
    expect(second.body.next).toBeNull();
    // An instant without an offset is UTC, as a datetime-local field sends it.
    const local = iso(base + 2000).replace(/\.000Z$/, '');
    const fromLocal = await admin.get<AuditPage>(`/admin/audit?userId=${userId}&from=${local}`);
    expect(fromLocal.body.events).toHaveLength(4);
  });

  it('refuses bad filters with 400', async () => {
    for (const query of [
      'outcome=maybe',
      'from=yesterday',
      'from=2026-02-30T00:00:00Z',
      'from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z',
      'to=2026-12-01T00:00:00Z&from=2026-12-01T00:00:00Z',
    ]) {
      expectProblem(await admin.get(`/admin/audit?${query}`), 400, 'invalid_request');
      expectProblem(await admin.get(`/admin/audit.csv?${query}`), 400, 'invalid_request');
    }
  });
});

describe('GET /admin/audit.csv', () => {
  it('is RFC 4180 CSV with a header, quoting where needed and formulas defused', async () => {
    const userId = randomUUID();
    const at = 1_800_000_100_000;
    const agents = [
      '=HYPERLINK("http://evil.example","click")',
      '+1+2',
      '-2+3',
      '@SUM(A1:A2)',
      '\t=1+1',
      'plain, with a comma',
      'say "hi"',
      'two\r\nlines',
      'safe = inside',
    ];
    for (const [i, userAgent] of agents.entries()) await record(userId, at + i, { userAgent });
    const response = await admin.get(`/admin/audit.csv?userId=${userId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="audit.csv"');
    expect(response.text).toContain('"\'=HYPERLINK(""http://evil.example"",""click"")"');
    const rows = parseCsv(response.text);
    expect(rows[0]).toEqual(['id', 'at', 'type', 'outcome', 'userId', 'ip', 'userAgent', 'detail']);
    const body = rows.slice(1);
    expect(body.every((row) => row.length === 8)).toBe(true);
    expect(body.map((row) => row[6])).toEqual(
      [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1:A2)",
        "'\t=1+1",
        'plain, with a comma',
        'say "hi"',
        'two\r\nlines',
        'safe = inside',
      ].reverse(),
    );
    expect(body[0]).toEqual([
      expect.stringMatching(/^[0-9]+$/),
      iso(at + agents.length - 1),
      'login',
      'success',
      userId,
      '203.0.113.7',
      'safe = inside',
      '{}',
    ]);
    // No cell a spreadsheet would run: every one starting with = + - @ is a guarded one.
    for (const cell of body.flat()) expect(cell).not.toMatch(/^[=+\-@\t]/);
  });

  it('exports more than one read page, in the same order and with the same filters as the list', async () => {
    const userId = randomUUID();
    const base = 1_800_000_200_000;
    const rows = Array.from({ length: 1203 }, (_, i) => ({
      at: base + Math.floor(i / 3),
      type: i % 2 ? 'login' : 'logout',
      outcome: i % 5 ? ('success' as const) : ('failure' as const),
      user_id: userId,
      ip: null,
      user_agent: null,
      detail: '{}',
    }));
    await server.core.store.db.insertInto('audit_events').values(rows).execute();
    const csv = parseCsv((await admin.get(`/admin/audit.csv?userId=${userId}`)).text).slice(1);
    expect(csv).toHaveLength(1203);
    const ids = csv.map((row) => Number(row[0]));
    const walked: number[] = [];
    let before: string | null = null;
    do {
      const page: { body: AuditPage } = await admin.get<AuditPage>(
        `/admin/audit?userId=${userId}&limit=500${before ? `&before=${before}` : ''}`,
      );
      walked.push(...page.body.events.map((e) => e.id));
      before = page.body.next;
    } while (before);
    expect(ids).toEqual(walked);

    const filtered = `userId=${userId}&type=logout&outcome=failure&from=${iso(base + 100)}`;
    const some = parseCsv((await admin.get(`/admin/audit.csv?${filtered}`)).text).slice(1);
    const listed = await admin.get<AuditPage>(`/admin/audit?${filtered}&limit=500`);
    expect(some.map((row) => Number(row[0]))).toEqual(listed.body.events.map((e) => e.id));
    expect(some.length).toBeGreaterThan(0);
    expect(some.every((row) => row[2] === 'logout' && row[3] === 'failure')).toBe(true);
  });

  it('an export matching nothing is the header alone', async () => {
    const response = await admin.get(`/admin/audit.csv?userId=${randomUUID()}`);
    expect(response.status).toBe(200);
    expect(response.text).toBe('id,at,type,outcome,userId,ip,userAgent,detail\r\n');
  });

  it('needs audit:read: a signed-in user without it gets 403 and no rows', async () => {
    const { client, email } = await signedInUser(server);
    await new Client(server.url).post('/auth/login', { email, password: strongPassword });
    const response = await client.get('/admin/audit.csv');
    expectProblem(response, 403, 'forbidden');
    expect(response.text).not.toContain(email);
  });
});
