/**
 * The linking rules of an upstream sign-in (shared by OIDC and SAML): who a
 * provider's assertion may become, and when it must be refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../../src/authn/account/registration.js';
import {
  linkIdentity,
  listIdentities,
  type UpstreamIdentity,
  unlinkIdentity,
  upstreamSignIn,
} from '../../../src/authn/federation/upstream-sign-in.js';
import { loadSettings } from '../../../src/config/load.js';
import { type Core, createCore } from '../../../src/core.js';
import { createLogger } from '../../../src/logger.js';
import { findUserByEmail } from '../../../src/store/repositories/users.js';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-upstream-'));
const meta = { ip: null, userAgent: 'test' };
let core: Core;

beforeAll(async () => {
  core = await createCore(loadSettings({ env: {}, flags: { nodeEnv: 'test', dataDir } }), {
    logger: createLogger('silent'),
  });
});
afterAll(async () => {
  await core.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const email = () => `u-${randomUUID()}@example.com`;
const upstream = (over: Partial<UpstreamIdentity> = {}): UpstreamIdentity => ({
  provider: 'google',
  subject: randomUUID(),
  email: email(),
  emailVerified: true,
  authoritativeForEmail: true,
  allowCreate: true,
  amr: ['fed'],
  ...over,
});
const localUser = async (address: string, verified: boolean) =>
  register(
    core,
    { email: address, password: 'a long enough passphrase here', emailVerified: verified },
    meta,
  );
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code?: string }) => error.code,
  );

describe('upstreamSignIn', () => {
  it('opens an account only for an address the provider verified and owns the domain of (no pre-account takeover)', async () => {
    for (const over of [{ emailVerified: false }, { authoritativeForEmail: false }]) {
      const identity = upstream(over);
      expect(await codeOf(upstreamSignIn(core, identity, meta)), JSON.stringify(over)).toBe(
        'no_account',
      );
      // Nothing was left behind that the address's real owner could later inherit.
      expect(await findUserByEmail(core.store.db, identity.email ?? '')).toBeNull();
    }
    const created = await upstreamSignIn(core, upstream(), meta);
    expect(created.emailVerified).toBe(true);
  });

  it('creates a user on first sign-in and finds the same user the next time', async () => {
    const identity = upstream();
    const first = await upstreamSignIn(core, identity, meta);
    expect(first.email).toBe(identity.email);
    expect(first.emailVerified).toBe(true);
    const again = await upstreamSignIn(core, { ...identity, email: email() }, meta);
    expect(again.id).toBe(first.id);
  });

  it('links an existing verified account only when the provider vouches for the email', async () => {
    const address = email();
    const user = await localUser(address, true);
    const linked = await upstreamSignIn(core, upstream({ email: address.toUpperCase() }), meta);
    expect(linked.id).toBe(user.id);
    expect(await listIdentities(core, user.id)).toHaveLength(1);
  });

  it.each([
    ['an unverified upstream email', { emailVerified: false }, true],
    ['a provider not authoritative for the domain', { authoritativeForEmail: false }, true],
    ['an unverified local account', {}, false],
  ])('refuses %s with link_required and links nothing', async (_, over, localVerified) => {
    const address = email();
    const user = await localUser(address, localVerified);
    const attempt = upstreamSignIn(core, upstream({ email: address, ...over }), meta);
    expect(await codeOf(attempt)).toBe('link_required');
    expect(await listIdentities(core, user.id)).toHaveLength(0);
  });

  it('does not fold look-alike emails into an existing account', async () => {
    const user = await localUser(`paypal-${randomUUID()}@example.com`, true);
    const homoglyph = user.email.replace('a', '\u0430'); // a Cyrillic a
    const other = await upstreamSignIn(core, upstream({ email: homoglyph }), meta);
    expect(other.id).not.toBe(user.id);
  });

  it('refuses an unknown identity with no_account when the provider does not create users', async () => {
    expect(await codeOf(upstreamSignIn(core, upstream({ allowCreate: false }), meta))).toBe(
      'no_account',
    );
    expect(await codeOf(upstreamSignIn(core, upstream({ email: null }), meta))).toBe('no_account');
  });

  it('one user for ten parallel first sign-ins of one identity', async () => {
    const identity = upstream();
    const users = await Promise.all(
      Array.from({ length: 10 }, () => upstreamSignIn(core, identity, meta)),
    );
    const ids = new Set(users.map((u) => u.id));
    expect(ids.size).toBe(1);
  });
});

describe('linkIdentity and unlinkIdentity', () => {
  it('links from the account, refuses an identity bound elsewhere, unlinks but never the last way in', async () => {
    const user = await localUser(email(), true);
    const identity = upstream();
    const linked = await linkIdentity(core, user.id, identity, meta);
    expect((await upstreamSignIn(core, identity, meta)).id).toBe(user.id);
    const other = await localUser(email(), true);
    expect(await codeOf(linkIdentity(core, other.id, identity, meta))).toBe('conflict');
    expect(await codeOf(unlinkIdentity(core, other.id, linked.id, meta))).toBe('not_found');
    await unlinkIdentity(core, user.id, linked.id, meta);
    expect(await listIdentities(core, user.id)).toHaveLength(0);

    const federatedOnly = await upstreamSignIn(core, upstream(), meta);
    const [only] = await listIdentities(core, federatedOnly.id);
    expect(await codeOf(unlinkIdentity(core, federatedOnly.id, only?.id ?? '', meta))).toBe(
      'conflict',
    );
    expect(await listIdentities(core, federatedOnly.id)).toHaveLength(1);
  });
});
