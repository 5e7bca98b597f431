import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { trustedOriginsSchema } from './trusted-origins.js';

const seconds = z.coerce.number().int().positive();
/** A boolean from JSON or from text ("true"/"false", "1"/"0", "yes"/"no", ...); anything else is an error. */
const flag = z.union([z.boolean(), z.stringbool()], {
  error: 'must be true or false (or yes/no, on/off, 1/0)',
});
/** RFC 6749 §3.3 scope-token: printable ASCII but space, `"` and a backslash. */
const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
/** The OpenID Connect scopes the provider releases claims for; an API's scope may not reuse one. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'roles'] as const;
const oidcScopes: ReadonlySet<string> = new Set(OIDC_SCOPES);
/**
 * An absolute http(s) URL. `z.url()` alone takes `auth.example.com:443` (its
 * scheme would be `auth.example.com:`), so the scheme is spelled out.
 */
const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) URL with its scheme, e.g. https://auth.example.com',
});

const trustProxySchema = z
  .union([z.boolean(), z.number().int().min(1).max(20), z.string()])
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    const text = value.trim().toLowerCase();
    if (['', 'false', 'no', 'off', '0'].includes(text)) return false;
    if (['true', 'yes', 'on'].includes(text)) return true;
    if (/^\d{1,2}$/.test(text) && Number(text) >= 1) return Number(text);
    const entries = text.split(',').map((e) => e.trim());
    if (entries.every((e) => isIP(e.split('/')[0] ?? '') !== 0)) return entries.join(',');
    ctx.addIssue({ code: 'custom', message: 'false, a hop count, or proxy addresses/CIDRs' });
    return z.NEVER;
  });

/** One SAML identity provider (an enterprise's IdP) that people may sign in through. */
const samlConnectionSchema = z
  .strictObject({
    /** In the URLs (/auth/saml/<id>/…) and in linked identities (`saml:<id>`). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
    name: z.string().trim().min(1).max(100),
    /** The IdP's metadata XML (entity ID, SSO URL, signing certificates), inline or from a file. */
    metadataXml: z.string().min(1).optional(),
    metadataFile: z.string().min(1).optional(),
    /** Email domains whose people this IdP signs in (home-realm discovery) and is authoritative for. */
    emailDomains: z.array(z.string().trim().toLowerCase().min(1).max(253)).default([]),
    /** Attribute names in the assertion; the email falls back to the NameID when absent. */
    attributes: z
      .strictObject({
        email: z.string().min(1).optional(),
        name: z.string().min(1).optional(),
        groups: z.string().min(1).optional(),
      })
      .prefault({}),
    /** Group (from the groups attribute) → Gatehouse role, given to users this connection creates. */
    groupRoles: z.record(z.string(), z.string()).default({}),
    /** Just-in-time creation of a user on first sign-in. */
    allowCreate: flag.default(false),
    /** Unsolicited responses (no AuthnRequest of ours): off, they are easier to replay and to inject. */
    allowIdpInitiated: flag.default(false),
    /** Clock skew tolerated on NotBefore/NotOnOrAfter. */
    clockSkewSeconds: z.coerce.number().int().min(0).max(300).default(60),
  })
  .refine(
    (c) => Boolean(c.metadataXml) !== Boolean(c.metadataFile),
    'set one of metadataXml, metadataFile',
  );

/** One upstream provider: `issuer` (discovery) or a `preset` (google, microsoft, apple, github). */
export const oidcProviderSchema = z
  .strictObject({
    /** In URLs (/auth/oidc/<id>/start) and in identities: lower-case, stable. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes'),
    /** What the sign-in button says after "Sign in with". */
    name: z.string().min(1).max(64),
    preset: z.enum(['google', 'microsoft', 'apple', 'github']).optional(),
    issuer: z.url().optional(),
    /** Microsoft: a tenant id, or common / organizations / consumers (multi-tenant). */
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,64}$/)
      .optional(),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(4096).optional(),
    scopes: z.array(scopeToken).max(30).optional(),
    /** Email domains this provider is authoritative for: only their verified addresses link to an existing account. */
    authoritativeEmailDomains: z.array(z.string().min(1).max(253)).max(100).default([]),
    /**
     * Home-realm discovery: an email of these domains, typed on the sign-in page,
     * goes to this provider instead of being asked for a password. Separate from
     * authoritativeEmailDomains (which may link): trusting gmail.com addresses
     * from Google must not send every gmail.com user there.
     */
    homeRealmDomains: z.array(z.string().min(1).max(253)).max(100).default([]),
    /** Create an account on a first sign-in (off: existing accounts only, linked from the account page). */
    allowCreate: flag.default(false),
    /** Count the provider's `amr`/`acr` for multi-factor (skip the local second factor when it says so). */
    trustUpstreamAmr: flag.default(false),
    /** `form_post` (Apple): the provider POSTs the answer to the callback. */
    responseMode: z.enum(['query', 'form_post']).optional(),
    /** For OAuth 2.0 without discovery (github), or to point a preset at a test server. */
    authorizationEndpoint: z.url().optional(),
    tokenEndpoint: z.url().optional(),
    /** GitHub's API base (https://api.github.com): /user and /user/emails. */
    apiBaseUrl: z.url().optional(),
  })
  .refine((p) => p.preset !== undefined || p.issuer !== undefined, {
    message: 'an issuer or a preset',
  });

export type OidcProviderSettings = z.infer<typeof oidcProviderSchema>;

/** The events a webhook endpoint (or an in-process hook) may ask for; `*` is every one. */
export const WEBHOOK_EVENTS = [
  'user.created',
  'user.email_verified',
  'user.banned',
  'user.unbanned',
  'user.roles_changed',
  'user.deleted',
  'session.revoked',
  'password.changed',
  'mfa.enrolled',
  'mfa.removed',
] as const;

/**
 * One receiver of webhooks. Its signing secret is in the Standard Webhooks
 * form (`whsec_` + base64 of 24 to 64 random bytes), given inline (a config
 * file kept like GATEHOUSE_SECRET_KEY), by the name of an environment
 * variable, or by a file (a mounted secret); it is never logged.
 */
const webhookEndpointSchema = z
  .strictObject({
    /** In the delivery rows and log lines (never the URL, which may carry a token). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(1).max(1024).optional(),
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    secretFile: z.string().min(1).optional(),
    events: z
      .array(z.enum([...WEBHOOK_EVENTS, '*']))
      .min(1)
      .max(WEBHOOK_EVENTS.length + 1),
  })
  .refine(
    (e) => [e.secret, e.secretEnv, e.secretFile].filter((v) => v !== undefined).length === 1,
    'set one of secret, secretEnv, secretFile',
  );

/** Every setting, its type and its secure default. Units are in the names. */
export const settingsSchema = z.strictObject({
  nodeEnv: z.enum(['development', 'production', 'test']).default('development'),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  dataDir: z.string().min(1).default('./data'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** Namespaces Redis keys and the revocation channel, so deployments can share one Redis. */
  redisPrefix: z.string().min(1).max(64).default('gatehouse:'),
  /** 32 bytes, base64url or hex. Generated into the data dir in development when absent. */
  secretKey: z.string().optional(),
  /** The public base URL; the JWT issuer and the origin that CSRF checks accept. */
  publicUrl: httpUrl.optional(),
  /**
   * Other origins (a single-page app elsewhere) that may call the JSON API from a browser:
   * CORS with credentials is answered for them only, and they pass the cross-origin check.
   * Same-origin behind one reverse proxy needs none of this (README: Embed Gatehouse).
   */
  trustedOrigins: trustedOriginsSchema.default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Which X-Forwarded-* hops to believe: false (default), a hop count, or a
   * comma-separated list of proxy addresses/CIDRs. `true` believes every hop,
   * so any client can forge its IP and protocol; it is allowed, and warned about.
   */
  trustProxy: trustProxySchema.default(false),
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// URL')
    .optional(),
  mailFrom: z.string().default('Gatehouse <no-reply@localhost>'),
  mail: z
    .strictObject({
      /**
       * A folder of mail templates (`<name>.txt` with a first `Subject:` line,
       * `<name>.html`) that replace the defaults in assets/mail/ file by file.
       */
      templatesDir: z.string().min(1).optional(),
    })
    .prefault({}),
  /** What the hosted pages and the mails show. */
  branding: z
    .strictObject({
      productName: z.string().trim().min(1).max(100).default('Gatehouse'),
      /** An http(s) URL, or a path on this server ("/logo.svg"; not "//host", which is another site). */
      logoUrl: z
        .string()
        .max(2048)
        .refine(
          (value) =>
            /^\/(?![/\\])[^\s\\]*$/.test(value) ||
            (/^https?:\/\//i.test(value) && URL.canParse(value) && !/\s/.test(value)),
          'an http(s) URL or a path starting with "/"',
        )
        .optional(),
      /** A CSS hex colour: #rgb or #rrggbb. */
      accentColor: z
        .string()
        .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, 'a CSS hex colour, #rgb or #rrggbb')
        .default('#2563eb'),
    })
    .prefault({}),
  /**
   * Refuse new sign-ins (403 `email_not_verified`) until the account's email
   * is verified; sessions and API keys that exist keep working.
   */
  requireVerifiedEmail: flag.default(false),
  /** Authorization policy (YAML, see packages/authz/README.md); the built-in one (assets/default-policy.yaml) when absent. */
  policyFile: z.string().min(1).optional(),
  bodyLimitBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  session: z
    .strictObject({
      idleTimeoutSeconds: seconds.default(30 * 60),
      absoluteTimeoutSeconds: seconds.default(7 * 24 * 3600),
      /** Live sessions per user; a login beyond it revokes the oldest ones. */
      maxPerUser: z.coerce.number().int().min(1).max(10_000).default(50),
      /** Sessions each instance remembers for a second (authn/session-cache.ts); 0 turns the cache off. */
      cacheSize: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
      /**
       * How often a busy session's last-seen time (and so its idle expiry) is
       * written; a session may end up to this much (at most half the idle
       * timeout) before a full idle timeout since its last request.
       */
      touchIntervalSeconds: z.coerce.number().int().min(1).max(3600).default(60),
    })
    .prefault({}),
  password: z
    .strictObject({
      minLength: z.coerce.number().int().min(8).max(256).default(15),
      maxLength: z.coerce.number().int().min(64).max(1024).default(256),
      argon2MemoryKiB: z.coerce.number().int().min(8192).default(19456),
      argon2TimeCost: z.coerce.number().int().min(1).default(2),
      argon2Parallelism: z.coerce.number().int().min(1).default(1),
      /** Hashes computed at once; default: cores - 1 (see crypto/hash-limiter.ts). */
      hashConcurrency: z.coerce.number().int().min(1).optional(),
      /**
       * Words a password must not contain, whatever the case (NIST SP 800-63B-4
       * context-specific words): the service's name, the company, the product.
       */
      contextWords: z.array(z.string().trim().min(3).max(64)).max(100).default(['gatehouse']),
    })
    .prefault({}),
  rateLimit: z
    .strictObject({
      loginPerAccount: z.coerce.number().int().positive().default(10),
      loginPerIp: z.coerce.number().int().positive().default(100),
      loginWindowSeconds: seconds.default(15 * 60),
      /** Registrations per source per window (each hashes a password). */
      registerPerIp: z.coerce.number().int().positive().default(20),
      /** Reset mails per email per window, whether or not it has an account. */
      forgotPerAccount: z.coerce.number().int().positive().default(5),
      /** Sign-in links mailed per email per window, whether or not it has an account. */
      magicLinkPerAccount: z.coerce.number().int().positive().default(5),
      /** Verification mails resent per email per window, whether or not it has an account. */
      verifyEmailPerAccount: z.coerce.number().int().positive().default(5),
    })
    .prefault({}),
  mfa: z
    .strictObject({
      /** Roles whose members must have a second factor: without one, a sign-in only lets them enrol one. */
      requiredForRoles: z.array(z.string().min(1)).max(100).default([]),
      /** How long a login challenge (first factor passed, second awaited) lives. */
      challengeLifetimeSeconds: z.coerce.number().int().min(30).max(3600).default(300),
      /** Wrong second-factor attempts that kill a challenge. */
      challengeMaxAttempts: z.coerce.number().int().min(1).max(20).default(5),
      /** The issuer an authenticator app shows beside a TOTP code. */
      totpIssuer: z.string().min(1).max(100).default('Gatehouse'),
      /** For new TOTP factors (each factor keeps its own): SHA1 is what every app supports. */
      totpAlgorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
      totpDigits: z.coerce.number().int().min(6).max(8).default(6),
      /** How long a TOTP setup waits for its first code before it is dropped. */
      totpSetupLifetimeSeconds: z.coerce.number().int().min(60).max(3600).default(600),
    })
    .prefault({}),
  /**
   * SMS codes as a second factor (the last resort: SIM swaps and interception).
   * Off by default: every code sent costs money, and an open sender invites
   * SMS pumping (toll fraud through premium numbers); an operator turns it on
   * knowing the bill. Off, its routes answer 404 and `sms` is never offered.
   */
  sms: z
    .strictObject({
      enabled: flag.default(false),
      /** The provider's message endpoint (a Twilio-like form POST of To, From, Body); none: the dev outbox. */
      url: httpUrl.optional(),
      /** Sent as `Authorization`: `user:secret` as Basic (Twilio's SID:token), anything else as Bearer. */
      token: z.string().min(1).max(1024).optional(),
      /** The sender number or name the provider shows. */
      from: z.string().min(1).max(32).optional(),
      codeLifetimeSeconds: z.coerce.number().int().min(60).max(900).default(300),
      /** Wrong tries that kill one code. */
      codeMaxAttempts: z.coerce.number().int().min(1).max(10).default(5),
      /** Sends per window to one number (whoever asks), to one account, and from one source. */
      sendPerNumber: z.coerce.number().int().positive().default(5),
      sendPerAccount: z.coerce.number().int().positive().default(5),
      sendPerIp: z.coerce.number().int().positive().default(20),
      sendWindowSeconds: seconds.default(3600),
    })
    .superRefine((sms, ctx) => {
      // A url that is not one has its own issue already; `new URL` below would throw.
      if (sms.url === undefined || !URL.canParse(sms.url)) return;
      for (const key of ['token', 'from'] as const)
        if (sms[key] === undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'required with sms.url' });
      // The token travels with every message: only over TLS, unless the provider is this machine.
      const url = new URL(sms.url);
      const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
        ctx.addIssue({
          code: 'custom',
          path: ['url'],
          message: 'must be https:// (http only to localhost)',
        });
    })
    .prefault({}),
  /** How long a mailed sign-in link works. */
  magicLinkLifetimeSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(3600)
    .default(15 * 60),
  stepUp: z
    .strictObject({
      /**
       * How recent a sign-in (or re-authentication) must be for the actions
       * that demand a recent login (`RECENT_LOGIN`): password change, API-key
       * creation, adding or removing a factor.
       */
      recentLoginSeconds: z.coerce.number().int().min(30).max(86_400).default(600),
    })
    .prefault({}),
  /**
   * Passkeys (WebAuthn). The relying party is this server's site: by default
   * the RP ID is the host of `publicUrl` and the one allowed origin is its
   * origin. Without `publicUrl` (development only) and without both `rpId` and
   * `origins`, the passkey routes are not mounted.
   */
  webauthn: z
    .strictObject({
      /** A domain (no scheme, no port): the host of publicUrl or a registrable suffix of it. */
      rpId: z
        .string()
        .regex(/^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'a lower-case domain, no scheme or port')
        .optional(),
      /** Origins a ceremony may run on (scheme://host[:port]); each host must be the RP ID or under it. */
      origins: z.array(z.url()).min(1).max(20).optional(),
      /** The name authenticators show. */
      rpName: z.string().min(1).max(64).default('Gatehouse'),
      /** How long a WebAuthn challenge (registration or assertion) lives. */
      challengeLifetimeSeconds: z.coerce.number().int().min(30).max(600).default(300),
    })
    .prefault({}),
  /** Sign-in with upstream OpenID Connect / OAuth 2.0 providers (see src/authn/federation/). */
  oidc: z
    .strictObject({
      providers: z.array(oidcProviderSchema).max(50).default([]),
      /** How long a started sign-in at a provider may take before its callback is refused. */
      loginLifetimeSeconds: z.coerce.number().int().min(60).max(3600).default(600),
    })
    .prefault({}),
  /** When true, registering an existing email answers 409 instead of mailing the owner. */
  revealRegisteredEmails: flag.default(false),
  resetTokenLifetimeSeconds: seconds.default(10 * 60),
  tokens: z
    .strictObject({
      /** The JWT `aud` of access tokens; resource servers verify against it. */
      audience: z.string().min(1).default('gatehouse'),
      /** RFC 9068 access tokens are short-lived: 10 min by default, 1 h at most. */
      accessTokenLifetimeSeconds: z.coerce.number().int().min(30).max(3600).default(600),
      signingAlgorithm: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
      /** Also keep an RS256 key (2048-bit) in the ring, for relying parties of the OpenID Provider that accept nothing else. */
      rsaSigningKey: flag.default(false),
      /** Retire the signing key after this long (0: only `gatehouse keys rotate`). */
      keyRotationSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .default(30 * 24 * 3600),
      /** A rotated refresh token presented again this soon returns the same successor (concurrent refreshes). */
      refreshGraceSeconds: z.coerce.number().int().min(0).max(60).default(10),
    })
    .prefault({}),
  revocation: z
    .strictObject({
      /**
       * How often each instance reloads revocations it may have missed from the
       * database (the safety net under Redis pub/sub): the longest a revocation
       * can stay unseen on an instance while the feed is down.
       */
      pollIntervalSeconds: z.coerce.number().int().min(1).max(3600).default(5),
      /** A comment on every open `GET /auth/revocations` stream this often, so proxies keep it open. */
      streamHeartbeatSeconds: z.coerce.number().int().min(1).max(300).default(15),
    })
    .prefault({}),
  /** SAML 2.0 single sign-on: Gatehouse is the service provider of each connection. */
  saml: z
    .strictObject({ connections: z.array(samlConnectionSchema).default([]) })
    .prefault({})
    .refine(
      (saml) => new Set(saml.connections.map((c) => c.id)).size === saml.connections.length,
      'connection ids must be unique',
    ),
  /** Gatehouse as an OpenID Provider under /oauth2 (single sign-on for the app owner's other apps). */
  provider: z
    .strictObject({
      enabled: flag.default(true),
      /**
       * APIs that accept the provider's JWT access tokens (RFC 9068): a client
       * asks for one with `resource=<audience>` and gets a token with that
       * `aud`, limited to these scopes. Without a resource, an access token is
       * opaque: for userinfo and introspection only.
       */
      resourceServers: z
        .array(
          z.strictObject({
            audience: z.url(),
            scopes: z
              .array(
                scopeToken.refine((scope) => !oidcScopes.has(scope), {
                  message: `is an OpenID Connect scope (${OIDC_SCOPES.join(', ')}): name API scopes apart`,
                }),
              )
              .default([]),
          }),
        )
        .default([]),
      authorizationCodeLifetimeSeconds: z.coerce.number().int().min(10).max(600).default(60),
      idTokenLifetimeSeconds: seconds.default(3600),
    })
    .prefault({}),
  /** The hosted pages (/login, /account, /admin); an app that serves its own can turn them off. */
  pages: z.strictObject({ enabled: flag.default(true) }).prefault({}),
  /**
   * The API reference at /docs (Swagger UI, served from this server). On by
   * default: it shows only /openapi.json, which is public anyway.
   */
  docs: z.strictObject({ enabled: flag.default(true) }).prefault({}),
  /**
   * GET /metrics (Prometheus). On the main port only with `Authorization: Bearer <token>`
   * (404 without a token set); on `port` (bound to `host`, loopback by default) as well,
   * where the token is asked for too when one is set. With neither, nobody can scrape.
   */
  metrics: z
    .strictObject({
      token: z.string().min(32).max(256).optional(),
      port: z.coerce.number().int().min(0).max(65535).optional(),
      host: z.string().min(1).default('127.0.0.1'),
    })
    .prefault({}),
  /** Basic credentials over plain HTTP from a non-loopback address; off unless set, and logged loudly. */
  allowInsecureBasicOverHttp: flag.default(false),
  emailVerificationLifetimeSeconds: seconds.default(24 * 3600),
  /** Events sent to the app's HTTP endpoints (see src/webhooks/ and the README's "Webhooks"). */
  webhooks: z
    .strictObject({
      endpoints: z
        .array(webhookEndpointSchema)
        .max(20)
        .default([])
        .refine(
          (list) => new Set(list.map((e) => e.id)).size === list.length,
          'ids must be unique',
        ),
      /** Attempts per event and endpoint before it is given up (recorded as failed). */
      maxAttempts: z.coerce.number().int().min(1).max(30).default(12),
      /** The wait after the first failed attempt; it doubles with each further one (with jitter). */
      initialRetrySeconds: z.coerce.number().int().min(1).max(3600).default(10),
      /** The longest wait between two attempts. */
      maxRetrySeconds: z.coerce.number().int().min(1).max(86_400).default(3600),
      /** How long one attempt may take, connection and answer, before it counts as failed. */
      timeoutSeconds: z.coerce.number().int().min(1).max(60).default(10),
      /** How often each instance looks for due deliveries (retries, and events of other processes). */
      pollIntervalSeconds: z.coerce.number().int().min(1).max(300).default(5),
      /** Delivery rows (sent, failed or pending) are purged this long after the event. */
      retentionDays: z.coerce.number().int().min(1).max(365).default(7),
    })
    .prefault({}),
  /** How long the audit log is kept; the purge deletes older events in its bounded batches. */
  audit: z
    .strictObject({
      /** Events older than this many days are purged (0: kept forever). */
      retentionDays: z.coerce.number().int().min(0).max(36_500).default(0),
      /**
       * When set, each purged batch is first appended as JSONL to
       * `audit-YYYY-MM-DD.jsonl` here (0600); a batch that cannot be written is not deleted.
       */
      exportDirectory: z
        .string()
        .refine(isAbsolute, 'must be an absolute path, e.g. /var/lib/gatehouse/audit')
        .optional(),
    })
    .prefault({}),
  /** Deleting what has expired (sessions and their refresh tokens, one-time tokens, API keys). */
  purge: z
    .strictObject({
      /** How often each instance purges (0: never; then run `purgeExpired` yourself). */
      intervalSeconds: z.coerce.number().int().min(0).default(300),
      /**
       * How long after expiry a row is kept for the audit trail. At least an
       * hour, so it outlives every access token of a revoked session.
       */
      graceSeconds: z.coerce
        .number()
        .int()
        .min(3600)
        .default(24 * 3600),
      /** Rows per DELETE: bounded, so a backlog never locks a table for long. */
      batchSize: z.coerce.number().int().min(1).max(10_000).default(1000),
      /** DELETEs per table and run; what is left waits for the next run. */
      maxBatchesPerRun: z.coerce.number().int().min(1).max(100).default(5),
    })
    .prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;
