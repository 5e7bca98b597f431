import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../src/background.js';
import { createLogger } from '../../src/logger.js';
import { deliverInBackground } from '../../src/mail/background.js';
import type { Mail, Mailer } from '../../src/mail/mailer.js';

const mail: Mail = {
  to: 'someone@example.com',
  subject: 'Reset your password',
  text: 'token: s3cret-token',
  html: '<p>token: s3cret-token</p>',
};

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

describe('background work and mail', () => {
  it('answers before the transport finishes, and drain waits for it', async () => {
    let release: () => void = () => {};
    const delivered: Mail[] = [];
    const slow: Mailer = {
      kind: 'smtp',
      send: (m) =>
        new Promise<void>((resolve) => {
          release = () => {
            delivered.push(m);
            resolve();
          };
        }),
    };
    const tasks = createBackgroundTasks(capture().logger);
    await deliverInBackground(slow, tasks).send(mail);
    expect(delivered).toHaveLength(0);
    const drained = tasks.drain();
    await new Promise((r) => setImmediate(r));
    release();
    await drained;
    expect(delivered).toEqual([mail]);
  });

  it('starts work on the next turn of the event loop, never within the current one', async () => {
    const tasks = createBackgroundTasks(capture().logger);
    let started = false;
    tasks.run('later', async () => {
      started = true;
    });
    for (let i = 0; i < 20; i += 1) await Promise.resolve();
    expect(started).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(true);
  });

  it('logs a failed delivery by domain and subject, never the body or the address', async () => {
    const { lines, logger } = capture();
    const broken: Mailer = {
      kind: 'smtp',
      send: async () => Promise.reject(new Error('connection refused')),
    };
    const tasks = createBackgroundTasks(logger);
    await deliverInBackground(broken, tasks).send(mail);
    await tasks.drain();
    const log = lines.join('');
    expect(log).toContain('background work failed');
    expect(log).toContain('example.com');
    expect(log).not.toContain('s3cret-token');
    expect(log).not.toContain('someone@');
  });

  it('drains work that starts more work, and gives up at the deadline', async () => {
    const { lines, logger } = capture();
    const tasks = createBackgroundTasks(logger);
    const done: string[] = [];
    tasks.run('outer', async () => {
      await new Promise((r) => setTimeout(r, 5));
      tasks.run('inner', async () => {
        await new Promise((r) => setTimeout(r, 5));
        done.push('inner');
      });
      done.push('outer');
    });
    await tasks.drain();
    expect(done).toEqual(['outer', 'inner']);
    tasks.run('stuck', () => new Promise<void>(() => {}));
    await tasks.drain(20);
    expect(lines.join('')).toContain('background work abandoned at shutdown');
  });
});
