import { TOTP_DEFAULTS, totpCode } from '../../src/authn/mfa/totp.js';
import { signedInUser } from './accounts.js';
import { Client, type Response } from './client.js';
import { type OutboxMessage, outbox } from './outbox.js';
import type { TestServer } from './server.js';
import { within } from './tokens.js';

export interface MfaRequired extends Record<string, unknown> {
  mfaRequired: true;
  methods: string[];
  challenge: string;
  expiresIn: number;
}

export interface TotpSetupBody extends Record<string, unknown> {
  factorId: string;
  secret: string;
  uri: string;
  qrSvg: string;
  expiresIn: number;
}

const STEP_MS = TOTP_DEFAULTS.periodSeconds * 1000;

/** The code of the current time step on the server's clock (`offsetSteps` away). */
export const codeNow = (server: TestServer, secret: string, offsetSteps = 0): string =>
  totpCode(secret, TOTP_DEFAULTS, server.clock.now() + offsetSteps * STEP_MS);

/**
 * Moves the server's clock to the next time step and returns its code: a
 * step once accepted is refused after (replay), so each use needs a new one.
 */
export function nextCode(server: TestServer, secret: string): string {
  server.clock.advance(STEP_MS);
  return codeNow(server, secret);
}

/** A 6-digit code the server refuses now: none of the steps its skew window accepts. */
export function wrongCode(server: TestServer, secret: string): string {
  const window = new Set([-1, 0, 1].map((offset) => codeNow(server, secret, offset)));
  let candidate = 0;
  while (window.has(String(candidate).padStart(6, '0'))) candidate += 1;
  return String(candidate).padStart(6, '0');
}

/** Starts and confirms an authenticator app for a signed-in client. */
export async function enrolTotp(
  server: TestServer,
  client: Client,
): Promise<{ factorId: string; secret: string }> {
  const setup = await client.post<TotpSetupBody>('/auth/mfa/totp/setup');
  if (setup.status !== 200) throw new Error(`setup: ${setup.status} ${setup.text}`);
  const { factorId, secret } = setup.body;
  const confirm = await client.post('/auth/mfa/totp/confirm', { code: codeNow(server, secret) });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${confirm.text}`);
  return { factorId, secret };
}

/** A user with an active authenticator app, and the client that enrolled it (still signed in). */
export async function totpUser(server: TestServer, options: { roles?: string[] } = {}) {
  const user = await signedInUser(server, options);
  const totp = await enrolTotp(server, user.client);
  return { ...user, ...totp };
}

/** The password step on a fresh client: the challenge answer, and the client it came to. */
export async function passwordStep(
  server: TestServer,
  email: string,
  password: string,
): Promise<{ client: Client; response: Response<MfaRequired> }> {
  const client = new Client(server.url);
  const response = await client.post<MfaRequired>('/auth/login', { email, password });
  return { client, response };
}

/** The challenge of a password step that must ask for a second factor. */
export async function challengeFor(
  server: TestServer,
  email: string,
  password: string,
): Promise<string> {
  const { response } = await passwordStep(server, email, password);
  if (response.status !== 200 || !response.body.challenge)
    throw new Error(`no challenge: ${response.status} ${response.text}`);
  return response.body.challenge;
}

/** Audit rows of one user, of one type, as the store holds them. */
export async function auditOf(server: TestServer, userId: string, type: string) {
  const rows = await server.core.store.db
    .selectFrom('audit_events')
    .select(['type', 'outcome', 'detail'])
    .where('user_id', '=', userId)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

/** The mail to `to` whose subject matches, once the background delivery wrote it (or undefined after 5 s). */
export async function mailFor(
  server: TestServer,
  to: string,
  subject: RegExp,
): Promise<OutboxMessage | undefined> {
  let found: OutboxMessage | undefined;
  await within(5000, async () => {
    found = (await outbox(server, to)).find((mail) => subject.test(mail.subject));
    return found !== undefined;
  });
  return found;
}
