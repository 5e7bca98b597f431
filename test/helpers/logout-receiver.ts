import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An app's back-channel logout endpoint: keeps every `logout_token` posted to it. */
export interface LogoutReceiver {
  /** The URI to register as the client's backchannel_logout_uri. */
  uri: string;
  /** The logout tokens received so far, oldest first. */
  tokens: string[];
  close(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const tokens: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      const wellFormed =
        req.method === 'POST' &&
        req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') &&
        token !== null;
      if (wellFormed) tokens.push(token);
      res.writeHead(wellFormed ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
