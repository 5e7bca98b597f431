import { isVerifyError, type VerifiedAccessToken } from '@gatehouse/verify';
import type { Core } from '../core.js';
import type { Principal } from '../principal.js';
import { createApiKeyVerifier } from './credentials/api-key.js';
import { looksLikeApiKey } from './credentials/api-key-format.js';
import {
  assertBasicTransport,
  parseBasic,
  type Transport,
  verifyServiceAccount,
} from './credentials/basic.js';
import { rememberAccount } from './current-user.js';
import { isAcr } from './login/assurance.js';
import type { RequestMeta } from './meta.js';
import { resolveSessionToken, sessionAuthentication } from './sessions.js';
import { createUserAttributeCache } from './user-attributes.js';

/** The credentials a request may carry, as the HTTP layer found them. */
export interface Credentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
  sessionCookie?: string | undefined;
  transport: Transport;
  meta: RequestMeta;
}

const apiKeyVerifiers = new WeakMap<Core, ReturnType<typeof createApiKeyVerifier>>();
const apiKeyVerifier = (core: Core) => {
  let verifier = apiKeyVerifiers.get(core);
  if (!verifier) {
    verifier = createApiKeyVerifier(core);
    apiKeyVerifiers.set(core, verifier);
  }
  return verifier;
};

/** An API key's answer, counted: a machine signs in with it on every request (no audit event). */
async function verifyApiKey(core: Core, presented: string): Promise<Principal | null> {
  const principal = await apiKeyVerifier(core)(presented);
  core.metrics.signIn('api_key', principal ? 'success' : 'failure');
  return principal;
}

const attributeCaches = new WeakMap<Core, ReturnType<typeof createUserAttributeCache>>();
const attributesOf = (core: Core, userId: string) => {
  let cache = attributeCaches.get(core);
  if (!cache) {
    cache = createUserAttributeCache(core);
    attributeCaches.set(core, cache);
  }
  return cache(userId);
};

const fromAccessToken = async (
  core: Core,
  token: VerifiedAccessToken,
  sessionId: string,
): Promise<Principal> => ({
  userId: token.sub,
  roles: token.roles,
  attributes: await attributesOf(core, token.sub),
  via: 'access_token',
  sessionId,
  ...(token.scope.length > 0 ? { scopes: token.scope } : {}),
  amr: token.amr,
  ...(isAcr(token.acr) ? { acr: token.acr } : {}),
  ...(token.authTime === undefined ? {} : { authTime: token.authTime * 1000 }),
  // Any restriction the token names limits it to enrolment: an unknown one too (fail closed).
  ...(token.restriction === undefined ? {} : { restriction: 'mfa_enrollment' as const }),
});

/**
 * Verifies an access JWT with local keys and the in-memory revocation set: no
 * database on the way (attributes come from a per-user cache, see user-attributes.ts).
 */
async function verifyAccessToken(core: Core, token: string): Promise<Principal | null> {
  try {
    const verified =
      core.accessTokens.verifyCached(token) ?? (await core.accessTokens.verify(token));
    // Our routes authenticate users: a machine token (client credentials) has no user, no session.
    // A token issued to an OAuth client (the provider's, `client_id`) is that app's, limited to
    // what the user let it do elsewhere: it is no key to the user's whole account here.
    if (verified.clientId !== undefined || verified.sid === undefined) return null;
    return await fromAccessToken(core, verified, verified.sid);
  } catch (error) {
    if (isVerifyError(error)) return null;
    throw error;
  }
}

async function fromAuthorization(
  core: Core,
  header: string,
  credentials: Credentials,
): Promise<Principal | null> {
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (space < 0 || value === '') return null;
  if (scheme === 'bearer') {
    return looksLikeApiKey(value) ? verifyApiKey(core, value) : verifyAccessToken(core, value);
  }
  if (scheme === 'basic') {
    assertBasicTransport(core, credentials.transport);
    const basic = parseBasic(value);
    if (!basic) return null;
    if (basic.username === 'apikey') return verifyApiKey(core, basic.password);
    return verifyServiceAccount(core, basic.username, basic.password, credentials.meta);
  }
  return null;
}

/**
 * Who is calling: a header credential (Authorization, then X-API-Key) if one
 * was sent, else the session cookie. A header credential that fails does not
 * fall back to the cookie. Null means unauthenticated.
 */
export async function authenticate(
  core: Core,
  credentials: Credentials,
): Promise<Principal | null> {
  if (credentials.authorization)
    return fromAuthorization(core, credentials.authorization, credentials);
  if (credentials.apiKey) return verifyApiKey(core, credentials.apiKey);
  if (!credentials.sessionCookie) return null;
  const resolved = await resolveSessionToken(core, credentials.sessionCookie);
  if (!resolved) return null;
  const principal: Principal = {
    userId: resolved.user.id,
    roles: resolved.user.roles,
    attributes: resolved.user.attributes,
    via: 'session',
    sessionId: resolved.session.id,
    ...sessionAuthentication(resolved.session),
    ...(resolved.session.restriction ? { restriction: resolved.session.restriction } : {}),
  };
  return rememberAccount(principal, resolved.user);
}
