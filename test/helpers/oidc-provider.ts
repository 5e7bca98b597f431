/**
 * A real OpenID Provider inside the tests (oidc-provider, in memory, on
 * loopback) that plays "Google": discovery, code + PKCE, signed ID tokens.
 * No dev interactions: its interaction route signs in `nextAccount` and
 * grants the scopes at once. `tamperIdToken` rewrites the ID token the token
 * endpoint answers, for the attacks an honest provider never makes.
 */
import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  amr?: string[];
}

export interface IdToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next sign-in at the provider is. */
  nextAccount: IdpAccount;
  /** Rewrites the next ID tokens (until set back to null). */
  tamperIdToken: ((token: IdToken, sign: Signers) => string) | null;
  /** Registers the relying party's callback, once the server under test listens. */
  register(redirectUris: string[]): void;
  /** A browser's visit to the authorization URL: follows the provider's own redirects to the relying party. */
  authorize(url: string): Promise<ProviderAnswer>;
  stop(): Promise<void>;
}

/** Where the provider sends the browser back: a redirect (query) or an auto-posting form (form_post). */
export type ProviderAnswer =
  | { method: 'GET'; url: URL }
  | { method: 'POST'; url: URL; fields: Record<string, string> };

export interface Signers {
  /** Signs with the provider's own key (a claim check must catch what is wrong). */
  withProviderKey(token: IdToken): string;
  /** Signs with a key the provider never published, under its kid. */
  withOtherKey(token: IdToken): string;
  /** `alg: none`, no signature. */
  unsigned(token: IdToken): string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signRs256(token: IdToken, key: KeyObject): string {
  const input = `${b64({ ...token.header, alg: 'RS256' })}.${b64(token.payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

const decode = (jwt: string): IdToken => {
  const [header, payload] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
  };
};

export async function startTestIdp(): Promise<TestIdp> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = randomUUID();
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const http: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clientId = `gatehouse-${randomUUID()}`;
  const clientSecret = randomUUID();

  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    nextAccount: { sub: randomUUID() },
    tamperIdToken: null,
    register(redirectUris) {
      const accounts = new Map<string, IdpAccount>();
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            response_types: ['code'],
            grant_types: ['authorization_code'],
            id_token_signed_response_alg: 'RS256',
          },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: [randomUUID()] },
        ttl: {
          Interaction: 600,
          Session: 600,
          Grant: 600,
          AccessToken: 600,
          IdToken: 600,
          AuthorizationCode: 60,
        },
        features: { devInteractions: { enabled: false } },
        interactions: {
          url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        conformIdTokenClaims: false,
        pkce: { required: () => true },
        findAccount: async (_ctx: unknown, id: string) => {
          const account = accounts.get(id);
          if (!account) return undefined;
          return {
            accountId: id,
            claims: async () => ({
              sub: id,
              ...(account.email === undefined ? {} : { email: account.email }),
              ...(account.email_verified === undefined
                ? {}
                : { email_verified: account.email_verified }),
            }),
          };
        },
      });
      provider.use(async (ctx, next) => {
        await next();
        const body = ctx.body as { id_token?: unknown } | undefined;
        if (ctx.path === '/token' && idp.tamperIdToken && typeof body?.id_token === 'string') {
          const signers: Signers = {
            withProviderKey: (token) => signRs256(token, privateKey),
            withOtherKey: (token) => signRs256(token, other),
            unsigned: (token) => `${b64({ ...token.header, alg: 'none' })}.${b64(token.payload)}.`,
          };
          ctx.body = { ...body, id_token: idp.tamperIdToken(decode(body.id_token), signers) };
        }
      });
      const callback = provider.callback();
      handler = (req, res) => {
        if (!req.url?.startsWith('/interaction/')) return callback(req, res);
        void (async () => {
          const details = await provider.interactionDetails(req, res);
          if (details.prompt.name === 'login') {
            const account = idp.nextAccount;
            accounts.set(account.sub, account);
            const amr = account.amr ?? ['pwd'];
            await provider.interactionFinished(
              req,
              res,
              { login: { accountId: account.sub, amr } },
              { mergeWithLastSubmission: false },
            );
            return;
          }
          const grant = new provider.Grant({
            accountId: details.session?.accountId ?? '',
            clientId: String(details.params.client_id ?? ''),
          });
          grant.addOIDCScope(String(details.params.scope ?? 'openid'));
          await provider.interactionFinished(
            req,
            res,
            { consent: { grantId: await grant.save() } },
            { mergeWithLastSubmission: true },
          );
        })().catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
      };
    },
    async authorize(url) {
      const jar = new Map<string, string>();
      let next = new URL(url);
      for (let hop = 0; hop < 10; hop++) {
        if (next.origin !== issuer) return { method: 'GET', url: next };
        const response = await fetch(next, {
          redirect: 'manual',
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const line of response.headers.getSetCookie()) {
          const [pair] = line.split(';');
          const at = pair?.indexOf('=') ?? -1;
          if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
        const location = response.headers.get('location');
        if (location) {
          next = new URL(location, next);
          continue;
        }
        const html = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        if (response.status === 200 && action) {
          const fields: Record<string, string> = {};
          for (const input of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
            fields[input[1] ?? ''] = (input[2] ?? '').replaceAll('&amp;', '&');
          return { method: 'POST', url: new URL(action.replaceAll('&amp;', '&')), fields };
        }
        throw new Error(`the provider answered ${response.status}: ${html.slice(0, 300)}`);
      }
      throw new Error('too many redirects at the provider');
    },
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  return idp;
}
