import type { Clock } from '../clock.js';
import { jsonLinesOutbox } from '../json-lines-outbox.js';
import type { Mail, Mailer } from './mailer.js';

export interface OutboxMail extends Mail {
  sentAt: number;
}

/** Appends each mail as one JSON line; read back by GET /dev/outbox outside production. */
export function createOutboxMailer(
  file: string,
  clock: Clock,
): Mailer & { read(): Promise<OutboxMail[]> } {
  const outbox = jsonLinesOutbox<Mail>(file, clock);
  return { kind: 'outbox', send: (mail) => outbox.append(mail), read: () => outbox.read() };
}
