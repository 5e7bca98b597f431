import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import type { Core } from '../../core.js';
import { randomToken, sha256 } from '../../crypto/random.js';
import { AuthError } from '../../errors.js';
import { consumeOidcLogin, insertOidcLogin } from '../../store/repositories/oidc-logins.js';
import type { User } from '../../store/repositories/users.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { fetchGithubUser } from './github-user.js';
import { OidcClients } from './oidc-client.js';
import { findOidcProvider, isAuthoritativeFor, type OidcProvider } from './oidc-providers.js';
import { linkIdentity, type UpstreamIdentity, upstreamSignIn } from './upstream-sign-in.js';

const clients = new WeakMap<Core, OidcClients>();
const clientsOf = (core: Core): OidcClients => {
  let found = clients.get(core);
  if (!found) {
    found = new OidcClients();
    clients.set(core, found);
  }
  return found;
};

export interface StartUpstream {
  /** This server's callback for the provider, exactly as registered there. */
  redirectUri: string;
  /** Already made safe by the caller (a path on this site). */
  returnTo: string;
  /** `link`: a signed-in user adds the provider to their account. */
  intent: 'sign_in' | 'link';
  linkUserId?: string | undefined;
}

export interface StartedUpstream {
  /** The provider's authorization URL. */
  url: string;
  /**
   * For a cookie on this browser: the callback must bring it back with the
   * state, so a callback URL someone else started (login CSRF: being signed
   * in to an attacker's account) finds no sign-in.
   */
  browserBinding: string;
}

/** The row's key: the state and the browser it was started on. */
const loginKey = (state: string, browserBinding: string) => sha256(`${state}.${browserBinding}`);

/**
 * Starts an authorization-code sign-in at the provider: PKCE (S256), `state`
 * and `nonce`, kept server-side (only a hash of the state and the browser
 * binding names the row) and single-use.
 */
export async function startUpstream(
  core: Core,
  providerId: string,
  start: StartUpstream,
): Promise<StartedUpstream> {
  const provider = await findOidcProvider(core, providerId);
  if (start.intent === 'link' && !start.linkUserId)
    throw new AuthError('unauthenticated', 'Sign in first.');
  const config = await clientsOf(core).configurationFor(provider);
  const state = client.randomState();
  const browserBinding = randomToken();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const now = core.clock.now();
  await insertOidcLogin(core.store.db, {
    id: randomUUID(),
    stateHash: loginKey(state, browserBinding),
    provider: provider.id,
    nonce,
    codeVerifier,
    returnTo: start.returnTo,
    intent: start.intent,
    linkUserId: start.linkUserId ?? null,
    now,
    expiresAt: now + core.settings.oidc.loginLifetimeSeconds * 1000,
  });
  const parameters: Record<string, string> = {
    response_type: 'code',
    redirect_uri: start.redirectUri,
    scope: provider.scopes.join(' '),
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  if (provider.kind === 'oidc') parameters.nonce = nonce;
  if (provider.responseMode === 'form_post') parameters.response_mode = 'form_post';
  return { url: client.buildAuthorizationUrl(config, parameters).href, browserBinding };
}

export type UpstreamOutcome =
  | { kind: 'sign_in'; user: User; amr: string[]; returnTo: string }
  | { kind: 'linked'; returnTo: string };

/** Provider error codes (RFC 6749 §4.1.2.1, OIDC §3.1.2.6) shown by name; anything else is "error". */
const KNOWN_ERRORS = new Set([
  'access_denied',
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
]);

/**
 * The provider sent the browser back: the state is used up (whatever
 * follows), the code exchanged with the PKCE verifier, the ID token checked
 * by openid-client (signature, iss, aud, azp, nonce, exp, iat; the RFC 9207
 * `iss` parameter), then the upstream identity becomes a user
 * (upstreamSignIn) or, for a link, is added to the signed-in account.
 * Every refusal is audited and is a 400 `upstream_error` (or the linking
 * rules' own codes), never a 500.
 */
export async function finishUpstream(
  core: Core,
  providerId: string,
  callback: {
    redirectUri: string;
    params: URLSearchParams;
    /** What startUpstream gave this browser to keep. */
    browserBinding: string | undefined;
    /** The user signed in on this browser now, for a link. */
    signedInUserId: string | null;
  },
  meta: RequestMeta,
): Promise<UpstreamOutcome> {
  const provider = await findOidcProvider(core, providerId);
  const fail = async (reason: string, message: string, cause?: unknown): Promise<never> => {
    await audit(
      core,
      {
        type: 'upstream_sign_in',
        outcome: 'failure',
        userId: null,
        detail: { provider: provider.id, reason },
      },
      meta,
    );
    throw new AuthError('upstream_error', message, cause === undefined ? undefined : { cause });
  };
  const state = callback.params.get('state');
  if (!state) return fail('missing_state', 'The provider sent no state: start the sign-in again.');
  const login = callback.browserBinding
    ? await consumeOidcLogin(
        core.store.db,
        loginKey(state, callback.browserBinding),
        provider.id,
        core.clock.now(),
      )
    : null;
  if (!login)
    return fail(
      'invalid_state',
      'This sign-in is unknown, expired or already used: start it again.',
    );
  const returnTo = login.returnTo ?? '/account';
  const error = callback.params.get('error');
  if (error !== null) {
    const code = KNOWN_ERRORS.has(error) ? error : 'error';
    return fail(`provider_${code}`, `The provider did not sign you in (${code}).`);
  }
  const config = await clientsOf(core).configurationFor(provider);
  const currentUrl = new URL(callback.redirectUri);
  for (const [name, value] of callback.params) currentUrl.searchParams.append(name, value);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: state,
      ...(provider.kind === 'oidc' ? { expectedNonce: login.nonce, idTokenExpected: true } : {}),
    });
  } catch (cause) {
    return fail(
      reasonOf(cause),
      'The provider’s answer did not verify: start the sign-in again.',
      cause,
    );
  }
  const identity = await identityOf(provider, tokens).catch((cause: unknown) =>
    fail('userinfo', 'The provider did not tell who signed in.', cause),
  );
  if (login.intent === 'link') {
    if (!login.linkUserId || callback.signedInUserId !== login.linkUserId)
      return fail(
        'link_session_changed',
        'Sign in again, then link the provider from your account.',
      );
    await linkIdentity(core, login.linkUserId, identity, meta);
    return { kind: 'linked', returnTo };
  }
  const user = await upstreamSignIn(core, identity, meta);
  return { kind: 'sign_in', user, amr: identity.amr, returnTo };
}

/** A stable, non-secret name for why openid-client refused, for the audit row. */
function reasonOf(cause: unknown): string {
  if (cause instanceof client.AuthorizationResponseError) return 'authorization_response';
  if (cause instanceof client.ResponseBodyError) return `token_${cause.error}`.slice(0, 64);
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? code.toLowerCase().slice(0, 64) : 'verification_failed';
}

type Tokens = Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

const isTrue = (value: unknown) => value === true || value === 'true';

/** RFC 8176 methods that are each one factor; `mfa` says several were used. */
const FACTOR_METHODS = new Set([
  'pwd',
  'pin',
  'otp',
  'sms',
  'tel',
  'hwk',
  'swk',
  'sc',
  'fpt',
  'face',
  'iris',
  'retina',
  'vbm',
  'kba',
]);

/** More than one factor upstream: `mfa`, or two different methods (an `otp` alone is one factor). */
export const isMultiFactor = (amr: readonly string[]): boolean =>
  amr.includes('mfa') || new Set(amr.filter((m) => FACTOR_METHODS.has(m))).size >= 2;

/** Google's hosted-domain claim means something only in Google's own ID tokens. */
const GOOGLE_ISSUER = 'https://accounts.google.com';

async function identityOf(provider: OidcProvider, tokens: Tokens): Promise<UpstreamIdentity> {
  const base = { provider: provider.id, allowCreate: provider.allowCreate };
  if (provider.kind === 'github') {
    if (!provider.apiBaseUrl) throw new AuthError('invalid_config', 'GitHub API base missing.');
    const user = await fetchGithubUser(provider.apiBaseUrl, tokens.access_token);
    return {
      ...base,
      subject: user.subject,
      email: user.email,
      emailVerified: user.emailVerified,
      // GitHub verifies addresses but owns no mail domain: it never takes over an account by email.
      authoritativeForEmail: user.email !== null && isAuthoritativeFor(provider, user.email),
      amr: ['fed'],
    };
  }
  const claims = tokens.claims();
  if (!claims) throw new AuthError('upstream_error', 'The provider sent no ID token.');
  const email = typeof claims.email === 'string' ? claims.email : null;
  const hostedDomain =
    provider.preset === 'google' && claims.iss === GOOGLE_ISSUER && typeof claims.hd === 'string'
      ? claims.hd
      : null;
  const authoritative =
    email !== null &&
    (isAuthoritativeFor(provider, email) ||
      (hostedDomain !== null && email.toLowerCase().endsWith(`@${hostedDomain.toLowerCase()}`)));
  const upstreamAmr = Array.isArray(claims.amr)
    ? claims.amr.filter((m) => typeof m === 'string')
    : [];
  const multiFactor = provider.trustUpstreamAmr && isMultiFactor(upstreamAmr);
  return {
    ...base,
    subject: claims.sub,
    email,
    emailVerified: email !== null && isTrue(claims.email_verified),
    authoritativeForEmail: authoritative,
    amr: multiFactor ? ['fed', 'mfa'] : ['fed'],
  };
}
