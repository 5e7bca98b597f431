import { register } from '../../src/authn/account/registration.js';
import { Client } from './client.js';
import type { TestServer } from './server.js';

export const strongPassword = 'correct horse battery staple 42';

let counter = 0;
export const uniqueEmail = (name = 'user') => `${name}${++counter}-${process.pid}@example.com`;

/** Creates a user through the core (as the CLI does), signed in nowhere; `isService`: a service account (HTTP Basic). */
export async function registeredUser(
  server: TestServer,
  options: { email?: string; roles?: string[]; isService?: boolean } = {},
): Promise<{ email: string; password: string; id: string }> {
  const email = options.email ?? uniqueEmail(options.isService ? 'svc' : 'user');
  const created = await register(
    server.core,
    {
      email,
      password: strongPassword,
      roles: options.roles ?? [],
      ...(options.isService ? { isService: true } : {}),
    },
    { ip: null, userAgent: 'test' },
  );
  return { email, password: strongPassword, id: created.id };
}

/** Creates a user through the core (as the CLI does) and returns a signed-in client. */
export async function signedInUser(
  server: TestServer,
  options: { email?: string; password?: string; roles?: string[] } = {},
): Promise<{ client: Client; email: string; password: string; userId: string }> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? strongPassword;
  const user = await register(
    server.core,
    { email, password, roles: options.roles ?? [] },
    { ip: null, userAgent: 'test' },
  );
  const client = new Client(server.url);
  const login = await client.post<{ csrfToken: string }>('/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  client.csrfToken = login.body.csrfToken;
  return { client, email, password, userId: user.id };
}
