import { Client } from './client.js';
import type { TestServer } from './server.js';

export interface OutboxMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: number;
}

/** The mail written to the local outbox, read over HTTP as a developer would. */
export async function outbox(server: TestServer, to?: string): Promise<OutboxMessage[]> {
  const response = await new Client(server.url).get<{ messages: OutboxMessage[] }>('/dev/outbox');
  if (response.status !== 200) throw new Error(`outbox: ${response.status} ${response.text}`);
  return response.body.messages.filter((m) => to === undefined || m.to === to);
}

/** The token of a mail: the one place that knows mails carry it as `?token=` of a page link. */
export function tokenOf(mail: Pick<OutboxMessage, 'text'> | undefined): string | undefined {
  const encoded = mail?.text.match(/https?:\/\/\S+[?&]token=([^&\s]+)/)?.[1];
  return encoded === undefined ? undefined : decodeURIComponent(encoded);
}

/** The token of the newest mail to `to` whose subject matches. */
export async function mailedToken(
  server: TestServer,
  to: string,
  subject: RegExp,
): Promise<string> {
  const mail = (await outbox(server, to)).filter((m) => subject.test(m.subject)).at(-1);
  const token = tokenOf(mail);
  if (!token) throw new Error(`no mail to ${to} matching ${subject}`);
  return token;
}
