/**
 * Forgot-password must not tell, through its timing, whether an email has an
 * account. Timing is not asserted (it is noise on a shared machine); the
 * structure that makes it equal is: the answer is produced before any work
 * that depends on the email, and both kinds of email go through the same
 * background job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgotPassword } from '../../src/authn/account/password-lifecycle.js';
import { register } from '../../src/authn/account/registration.js';
import type { BackgroundTasks } from '../../src/background.js';
import { loadSettings } from '../../src/config/load.js';
import { type Core, createCore } from '../../src/core.js';
import { createLogger } from '../../src/logger.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-forgot-'));
const known = 'known@example.com';
let core: Core;

beforeAll(async () => {
  core = await createCore(loadSettings({ env: {}, flags: { nodeEnv: 'test', dataDir } }), {
    logger: createLogger('silent'),
  });
  const meta = { ip: null, userAgent: 'test' };
  await register(core, { email: known, password: 'a long enough passphrase here' }, meta);
  // The verification mail, so that only reset mails are counted below.
  await core.background.drain();
});
afterAll(async () => {
  await core.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Records background jobs instead of running them. */
function recordingTasks(): BackgroundTasks & {
  jobs: Array<{ label: string; task: () => Promise<void> }>;
} {
  const jobs: Array<{ label: string; task: () => Promise<void> }> = [];
  return { jobs, run: (label, task) => void jobs.push({ label, task }), drain: async () => {} };
}

/** Runs `action` while any use of the database throws. */
async function withoutDatabase(action: () => Promise<void>): Promise<void> {
  const db = core.store.db;
  Object.defineProperty(core.store, 'db', {
    configurable: true,
    get: () => {
      throw new Error('the database was used before the answer');
    },
  });
  try {
    await action();
  } finally {
    Object.defineProperty(core.store, 'db', { configurable: true, writable: true, value: db });
  }
}

describe('POST /auth/password/forgot, structurally', () => {
  it('answers before any per-email work: no lookup, one identical background job for either email', async () => {
    const mailsBefore = (await core.outbox?.read())?.length ?? 0;
    const tasks = recordingTasks();
    const background = core.background;
    core.background = tasks;
    try {
      await withoutDatabase(async () => {
        await forgotPassword(core, known);
        await forgotPassword(core, 'Nobody@Example.com');
      });
    } finally {
      core.background = background;
    }
    expect(tasks.jobs.map((job) => job.label)).toEqual(['password reset', 'password reset']);
    expect((await core.outbox?.read())?.length ?? 0).toBe(mailsBefore);

    for (const job of tasks.jobs) await job.task();
    await core.background.drain();
    const mails = ((await core.outbox?.read()) ?? []).slice(mailsBefore);
    expect(mails.map((m) => m.to)).toEqual([known]);
    expect(mails[0]?.subject).toMatch(/reset/i);
  });
});
