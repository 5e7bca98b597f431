import { expect } from 'vitest';
import { Client } from './client.js';
import type { TestServer } from './server.js';

export interface OutboxSms {
  to: string;
  body: string;
  sentAt: number;
}

/** The text messages written to the local SMS outbox, read over HTTP as a developer would. */
export async function smsOutbox(server: TestServer, to?: string): Promise<OutboxSms[]> {
  const response = await new Client(server.url).get<{ sms: OutboxSms[] }>('/dev/outbox');
  if (response.status !== 200) throw new Error(`outbox: ${response.status} ${response.text}`);
  return response.body.sms.filter((m) => to === undefined || m.to === to);
}

/** The code of the newest text to `to`. */
export async function textedCode(server: TestServer, to: string): Promise<string> {
  const code = (await smsOutbox(server, to)).at(-1)?.body.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code texted to ${to}`);
  return code;
}

let numbers = 0;
/** A fresh number from the UK's drama range (+44 7700 900xxx) and beyond, unique per call. */
export const uniquePhone = (): string =>
  `+4477009${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(3, '0')}`;

/** Adds a verified SMS factor to a signed-in client's account, over HTTP; returns its id. */
export async function enrolSms(server: TestServer, client: Client, phone: string): Promise<string> {
  const setup = await client.post('/auth/mfa/sms/setup', { phone });
  expect(setup.status, setup.text).toBe(202);
  const code = await textedCode(server, phone);
  const confirm = await client.post<{ factor: { id: string } }>('/auth/mfa/sms/confirm', { code });
  expect(confirm.status, confirm.text).toBe(201);
  return confirm.body.factor.id;
}

/** A wrong code for a right one: the same length, another value. */
export const wrongCode = (code: string): string =>
  String((Number(code) + 1) % 1_000_000).padStart(6, '0');
