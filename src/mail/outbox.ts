import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock.js';
import type { Mail, Mailer } from './mailer.js';

export interface OutboxMail extends Mail {
  sentAt: number;
}

/** Appends each mail as one JSON line; read back by GET /dev/outbox outside production. */
export function createOutboxMailer(
  file: string,
  clock: Clock,
): Mailer & { read(): Promise<OutboxMail[]> } {
  return {
    kind: 'outbox',
    async send(mail) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ ...mail, sentAt: clock.now() })}\n`, {
        mode: 0o600,
      });
    },
    async read() {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as OutboxMail);
    },
  };
}
