import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock.js';
import type { Sms, SmsSender } from './sender.js';

export interface OutboxSms extends Sms {
  sentAt: number;
}

/** Appends each message as one JSON line; read back by GET /dev/outbox outside production. */
export function createOutboxSmsSender(
  file: string,
  clock: Clock,
): SmsSender & { read(): Promise<OutboxSms[]> } {
  return {
    kind: 'outbox',
    async send(sms) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ ...sms, sentAt: clock.now() })}\n`, {
        mode: 0o600,
      });
    },
    async read() {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as OutboxSms);
    },
  };
}
