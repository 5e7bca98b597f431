import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret, as an operator makes one. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** The app's webhook endpoint: keeps every request, answers as the test says. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The status of the next answer for an event id (default 200). */
  answer: (eventId: string, attempt: number) => number | 'hang';
  /** The headers `standardwebhooks` reads, from a received request. */
  headersOf(received: ReceivedWebhook): Record<string, string>;
  /** The verified payload, or an error thrown by `standardwebhooks`. */
  verify(
    received: ReceivedWebhook,
    secret: string,
  ): { type: string; data: Record<string, unknown> };
  /** Stops listening (the port stays this receiver's) and lets hanging requests go. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const headersOf = (received: ReceivedWebhook): Record<string, string> => ({
  'webhook-id': String(received.headers['webhook-id']),
  'webhook-timestamp': String(received.headers['webhook-timestamp']),
  'webhook-signature': String(received.headers['webhook-signature']),
});

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const hanging = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer: () => 200,
    headersOf,
    verify: (one, secret) =>
      new Webhook(secret).verify(one.body, headersOf(one)) as {
        type: string;
        data: Record<string, unknown>;
      },
    stop: async () => {},
    start: async () => {},
  };
  let server: Server;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      server = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => {
          body += chunk;
        });
        req.on('end', () => {
          const id = String(req.headers['webhook-id']);
          const attempt = received.filter((r) => r.headers['webhook-id'] === id).length + 1;
          const status = receiver.answer(id, attempt);
          received.push({ headers: req.headers, body, status: status === 'hang' ? 0 : status });
          if (status === 'hang') {
            hanging.add(() => res.destroy());
            return;
          }
          // A redirect points back at this receiver: following it would show as another request.
          const location = status >= 300 && status < 400 ? { location: '/moved' } : {};
          res
            .writeHead(status, { 'content-type': 'text/plain', ...location })
            .end('a body Gatehouse ignores');
        });
      });
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.stop = () =>
    new Promise((resolve) => {
      for (const release of hanging) release();
      hanging.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  receiver.start = async () => {
    await listen(port);
  };
  return receiver;
}
