/**
 * A small server with GitHub's OAuth 2.0 shape (no OpenID Connect): the
 * authorize redirect, the token endpoint (code + PKCE S256 + client secret),
 * and the API's /user and /user/emails.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export interface FakeGithub {
  url: string;
  clientId: string;
  clientSecret: string;
  nextUser: { id: number; login: string; emails: GithubEmail[] };
  /** A browser's visit to the authorization URL: where it is sent back. */
  authorize(url: string): Promise<URL>;
  stop(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
};

export async function startFakeGithub(): Promise<FakeGithub> {
  const codes = new Map<string, { challenge: string; redirectUri: string; userId: number }>();
  const tokens = new Map<string, FakeGithub['nextUser']>();
  const users = new Map<number, FakeGithub['nextUser']>();
  const clientId = `Iv1.${randomUUID().slice(0, 8)}`;
  const clientSecret = randomUUID();
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const http: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://github.test');
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const params = url.searchParams;
        if (params.get('client_id') !== clientId || params.get('code_challenge_method') !== 'S256')
          return json(res, 400, { error: 'bad_request' });
        const user = fake.nextUser;
        users.set(user.id, user);
        const code = randomUUID();
        codes.set(code, {
          challenge: params.get('code_challenge') ?? '',
          redirectUri: params.get('redirect_uri') ?? '',
          userId: user.id,
        });
        const back = new URL(params.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', params.get('state') ?? '');
        return res.writeHead(302, { location: back.href }).end();
      }
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const body = await readBody(req);
        const basic = req.headers.authorization?.startsWith('Basic ')
          ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')
          : null;
        const id = decodeURIComponent(basic?.[0] ?? body.get('client_id') ?? '');
        const secret = decodeURIComponent(basic?.[1] ?? body.get('client_secret') ?? '');
        if (id !== clientId || secret !== clientSecret)
          return json(res, 401, { error: 'incorrect_client_credentials' });
        const grant = codes.get(body.get('code') ?? '');
        codes.delete(body.get('code') ?? '');
        const verifier = body.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (
          !grant ||
          grant.challenge !== challenge ||
          grant.redirectUri !== body.get('redirect_uri')
        )
          return json(res, 400, { error: 'bad_verification_code' });
        const token = `gho_${randomUUID()}`;
        const user = users.get(grant.userId);
        if (user) tokens.set(token, user);
        return json(res, 200, {
          access_token: token,
          token_type: 'bearer',
          scope: 'read:user,user:email',
        });
      }
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/user') return json(res, 200, { id: user.id, login: user.login });
      if (url.pathname === '/user/emails') return json(res, 200, user.emails);
      return json(res, 404, { message: 'Not Found' });
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const fake: FakeGithub = {
    url,
    clientId,
    clientSecret,
    nextUser: { id: 1, login: 'octocat', emails: [] },
    async authorize(authorizeUrl) {
      const response = await fetch(authorizeUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (!location) throw new Error(`fake GitHub answered ${response.status}`);
      return new URL(location);
    },
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return fake;
}
