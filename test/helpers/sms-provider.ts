import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSms {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}

/** A stand-in for an SMS provider's message endpoint on 127.0.0.1; answers `status`. */
export async function startSmsProvider(status = 201) {
  const received: ReceivedSms[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        form,
      });
      response.writeHead(status, { 'content-type': 'application/json' });
      // Providers echo the message back: an adapter must not pass this on to a log.
      response.end(JSON.stringify({ sid: 'SM1', body: form.Body ?? '' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/2010-04-01/Accounts/AC1/Messages.json`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
