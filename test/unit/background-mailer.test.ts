import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { deliverInBackground } from '../../src/mail/background.js';
import type { Mail, Mailer } from '../../src/mail/mailer.js';

const mail: Mail = {
  to: 'someone@example.com',
  subject: 'Reset your password',
  text: 'token: s3cret-token',
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

describe('background mail delivery', () => {
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
    const mailer = deliverInBackground(slow, capture().logger);
    await mailer.send(mail);
    expect(delivered).toHaveLength(0);
    const drained = mailer.drain();
    release();
    await drained;
    expect(delivered).toEqual([mail]);
  });

  it('logs a failed delivery by domain and subject, never the body', async () => {
    const { lines, logger } = capture();
    const broken: Mailer = {
      kind: 'smtp',
      send: async () => Promise.reject(new Error('connection refused')),
    };
    const mailer = deliverInBackground(broken, logger);
    await mailer.send(mail);
    await mailer.drain();
    const log = lines.join('');
    expect(log).toContain('mail delivery failed');
    expect(log).toContain('example.com');
    expect(log).not.toContain('s3cret-token');
    expect(log).not.toContain('someone@');
  });
});
