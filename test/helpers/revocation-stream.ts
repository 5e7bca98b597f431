import {
  createEventStreamParser,
  type ServerSentEvent,
} from '../../packages/verify/src/event-stream.js';
import { register } from '../../src/authn/account/registration.js';
import { strongPassword, uniqueEmail } from './accounts.js';
import type { TestServer } from './server.js';

export const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

export interface ServiceAccount {
  id: string;
  email: string;
  password: string;
  authorization: string;
}

/** A service account as an operator makes one: `user create --service --role resource_server`. */
export async function resourceServerAccount(
  server: Pick<TestServer, 'core'>,
  roles: string[] = ['resource_server'],
): Promise<ServiceAccount> {
  const email = uniqueEmail('rs');
  const user = await register(
    server.core,
    { email, password: strongPassword, roles, isService: true },
    { ip: null, userAgent: 'test' },
  );
  return {
    id: user.id,
    email,
    password: strongPassword,
    authorization: basic(email, strongPassword),
  };
}

export interface OpenStream {
  status: number;
  headers: Headers;
  events: ServerSentEvent[];
  /** Everything received, comments included. */
  raw: string;
  /** Resolves with the first event (already received or still to come) that matches. */
  next(match: (event: ServerSentEvent) => boolean, timeoutMs?: number): Promise<ServerSentEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens GET /auth/revocations and reads it in the background. */
export async function openStream(
  baseUrl: string,
  headers: Record<string, string>,
  path = '/auth/revocations',
): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}${path}`, { headers, signal: controller.signal });
  const events: ServerSentEvent[] = [];
  const waiters = new Set<() => void>();
  let raw = '';
  const parser = createEventStreamParser({
    event: (event) => {
      events.push(event);
      for (const wake of waiters) wake();
    },
  });
  const ended = (async () => {
    if (!response.body || response.status !== 200) return;
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        parser.push(text);
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    get raw() {
      return raw;
    },
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    ended,
    close: () => controller.abort(),
  };
}

/** The revocation messages of a stream, parsed. */
export interface StreamedMessage {
  id: string;
  type: string;
  seq: number;
  sid?: string;
  sub?: string;
}

export const messagesOf = (stream: OpenStream): StreamedMessage[] =>
  stream.events
    .filter((event) => event.type === 'message')
    .map((event) => ({
      id: event.lastEventId,
      ...(JSON.parse(event.data) as Omit<StreamedMessage, 'id'>),
    }));

/** Polls until `check` is true or the time is up. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
