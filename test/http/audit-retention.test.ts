import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditExportFile } from '../../src/authn/audit-retention.js';
import { purgeExpired } from '../../src/authn/purge.js';
import { registeredUser } from '../helpers/accounts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;
const dirs: string[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(audit: { retentionDays: number; exportDirectory?: string }) {
  const server = await startTestServer({
    // Batches of 3, two per run: a run deletes at most 6 events.
    settings: { purge: { intervalSeconds: 0, batchSize: 3, maxBatchesPerRun: 2 }, audit },
  });
  servers.push(server);
  return server;
}

const auditIds = async (server: TestServer): Promise<number[]> =>
  (await server.core.store.db.selectFrom('audit_events').select('id').orderBy('id').execute()).map(
    (row) => Number(row.id),
  );

/** Some events 31 days old and some from today; their ids. */
async function oldAndRecentEvents(server: TestServer) {
  for (let i = 0; i < 8; i++) await registeredUser(server);
  const old = await auditIds(server);
  server.clock.advance(31 * DAY);
  for (let i = 0; i < 2; i++) await registeredUser(server);
  const recent = (await auditIds(server)).filter((id) => !old.includes(id));
  expect(old.length).toBeGreaterThan(6);
  expect(recent.length).toBeGreaterThan(0);
  return { old, recent };
}

const exported = (file: string): Array<{ id: number; type: string; at: number }> =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { id: number; type: string; at: number });

describe('audit.retentionDays: old events purged in bounded batches, exported first', () => {
  it('exports then deletes the old events, at most batchSize × maxBatches a run; recent ones stay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-export-'));
    dirs.push(dir);
    const server = await start({ retentionDays: 30, exportDirectory: dir });
    const { old, recent } = await oldAndRecentEvents(server);
    const file = auditExportFile(dir, server.clock.now());

    const first = await purgeExpired(server.core);
    expect(first.auditEvents).toBe(6);
    // The oldest six, written before they went, and nothing else.
    expect(exported(file).map((event) => event.id)).toEqual(old.slice(0, 6));
    expect(await auditIds(server)).toEqual([...old.slice(6), ...recent]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    let rest = 0;
    for (let run = 0; run < 10; run++) {
      const { auditEvents } = await purgeExpired(server.core);
      expect(auditEvents).toBeLessThanOrEqual(6);
      rest += auditEvents;
      if (auditEvents === 0) break;
    }
    expect(6 + rest).toBe(old.length);
    expect(await auditIds(server)).toEqual(recent);
    // Each purged event once, whole, and only those.
    const lines = exported(file);
    expect(lines.map((event) => event.id)).toEqual(old);
    expect(lines.every((event) => typeof event.type === 'string' && event.at > 0)).toBe(true);
  });

  it('an export directory it cannot write to: nothing deleted, one clear log line, no crash', async () => {
    const missing = join(tmpdir(), `gatehouse-no-such-dir-${process.pid}-${Date.now()}`);
    const server = await start({ retentionDays: 30, exportDirectory: missing });
    const { old, recent } = await oldAndRecentEvents(server);

    const counts = await purgeExpired(server.core);
    expect(counts.auditEvents).toBe(0);
    expect(await auditIds(server)).toEqual([...old, ...recent]);
    const line = server.logs.find((text) => text.includes('audit export failed'));
    expect(line).toBeDefined();
    expect(line).toContain('ENOENT');
    expect(line).toContain(missing);
    // The server still answers.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('without an export directory the old events simply go; 0 keeps them forever', async () => {
    const purging = await start({ retentionDays: 30 });
    const a = await oldAndRecentEvents(purging);
    let purged = 0;
    for (let run = 0; run < 10; run++) {
      const { auditEvents } = await purgeExpired(purging.core);
      purged += auditEvents;
      if (auditEvents === 0) break;
    }
    expect(purged).toBe(a.old.length);
    expect(await auditIds(purging)).toEqual(a.recent);

    const keeping = await start({ retentionDays: 0 });
    const b = await oldAndRecentEvents(keeping);
    expect((await purgeExpired(keeping.core)).auditEvents).toBe(0);
    expect(await auditIds(keeping)).toEqual([...b.old, ...b.recent]);
  });
});
