import type { Clock } from '../clock.js';
import { jsonLinesOutbox } from '../json-lines-outbox.js';
import type { Sms, SmsSender } from './sender.js';

export interface OutboxSms extends Sms {
  sentAt: number;
}

/** Appends each message as one JSON line; read back by GET /dev/outbox outside production. */
export function createOutboxSmsSender(
  file: string,
  clock: Clock,
): SmsSender & { read(): Promise<OutboxSms[]> } {
  const outbox = jsonLinesOutbox<Sms>(file, clock);
  return { kind: 'outbox', send: (sms) => outbox.append(sms), read: () => outbox.read() };
}
