import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from './clock.js';

/**
 * A local outbox: each message appended as one JSON line with the time it
 * was sent (owner-only file), read back whole. The dev outboxes of mail and
 * SMS are both this, listed by GET /dev/outbox outside production.
 */
export interface JsonLinesOutbox<T> {
  append(message: T): Promise<void>;
  read(): Promise<Array<T & { sentAt: number }>>;
}

export function jsonLinesOutbox<T extends object>(file: string, clock: Clock): JsonLinesOutbox<T> {
  return {
    async append(message) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ ...message, sentAt: clock.now() })}\n`, {
        mode: 0o600,
      });
    },
    async read() {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as T & { sentAt: number });
    },
  };
}
