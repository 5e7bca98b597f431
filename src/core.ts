import { join } from 'node:path';
import { createVerifier, type Verifier } from '@gatehouse/verify';
import { checkSamlSettings } from './authn/federation/saml-connections.js';
import { checkSecretKeyOpensSealed } from './authn/secret-rotation/check-secret-key.js';
import { type KeyRing, openKeyRing } from './authn/tokens/key-ring.js';
import { openRevocationFeed, type RevocationFeed } from './authn/tokens/revocation-feed.js';
import { loadConfiguredPolicy } from './authz/policy-setup.js';
import type { Policy } from './authz/policy-types.js';
import { type BackgroundTasks, createBackgroundTasks } from './background.js';
import type { Cache } from './cache/cache.js';
import { createMemoryCache } from './cache/memory.js';
import { createRedisCache } from './cache/redis.js';
import { type Clock, systemClock } from './clock.js';
import { checkDataDir } from './config/data-dir.js';
import type { Settings } from './config/schema.js';
import { resolveSecretKey } from './config/secret-key.js';
import { explainStartupFailure } from './config/unreachable.js';
import { hashQueueStats, observeHashQueue, setHashConcurrency } from './crypto/hash-limiter.js';
import type { Argon2Params } from './crypto/password-hash.js';
import type { PasswordPolicy } from './crypto/password-policy.js';
import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import { deliverInBackground } from './mail/background.js';
import type { Mailer } from './mail/mailer.js';
import { createOutboxMailer } from './mail/outbox.js';
import { createSmtpMailer } from './mail/smtp.js';
import { loadMailTemplates, type MailTemplates } from './mail/templates.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { deliverSmsInBackground } from './sms/background.js';
import { createHttpSmsSender } from './sms/http.js';
import { createOutboxSmsSender } from './sms/outbox.js';
import type { SmsSender } from './sms/sender.js';
import { openStore, type Store } from './store/db.js';
import { migrateToLatest } from './store/migrate.js';
import { resolveEndpoints } from './webhooks/endpoints.js';
import type { EventHooks, EventHooksOption } from './webhooks/hooks.js';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.js';

/** Clock skew allowed on our own access tokens (the verifier's default). */
const ACCESS_TOKEN_SKEW_SECONDS = 5;

/** Everything the services share. Built once per process (or per test server). */
export interface Core {
  settings: Settings;
  store: Store;
  cache: Cache;
  mailer: Mailer;
  /** Every mail template, loaded and checked at start-up (defaults, or the operator's folder over them). */
  mailTemplates: MailTemplates;
  /** Work that must not hold up a response (mail, reset tokens); drained at shutdown. */
  background: BackgroundTasks;
  /** Set only when mail goes to the local outbox (development and tests). */
  outbox: ReturnType<typeof createOutboxMailer> | undefined;
  /** Text messages (SMS codes); delivered in the background like mail. */
  sms: SmsSender;
  /** Set only when text messages go to the local outbox (no `sms.url`). */
  smsOutbox: ReturnType<typeof createOutboxSmsSender> | undefined;
  clock: Clock;
  logger: Logger;
  /** This core's Prometheus registry and the counters its parts feed (GET /metrics). */
  metrics: Metrics;
  secretKey: Buffer;
  argon2: Argon2Params;
  passwordPolicy: PasswordPolicy;
  /** The `iss` of access tokens: the public URL, or http://localhost:PORT. */
  issuer: string;
  keys: KeyRing;
  revocations: RevocationFeed;
  /** Verifies our own access tokens: local keys, revocation set, no database. */
  accessTokens: Verifier;
  /** The authorization policy every guard and `/authz/check` decides with. */
  policy: Policy;
  /** Warnings about insecure or generated settings, printed at start-up. */
  warnings: string[];
  /** Events for the app: the webhook outbox and its sender (fed by `audit()`). */
  webhooks: Webhooks;
  /** In-process hooks: `core.events.on('user.created', (event) => …)`, run after the change commits. */
  events: EventHooks;
  close(): Promise<void>;
}

export interface CoreOptions {
  clock?: Clock;
  logger?: Logger;
  /** Prefix for Redis keys and channels, over `settings.redisPrefix` (tests isolate themselves with it). */
  cachePrefix?: string;
  migrate?: boolean;
  /** A policy already loaded; otherwise `settings.policyFile` or the built-in default is loaded. */
  policy?: Policy;
  /** In-process hooks per event type (`*`: every one); more can be added with `core.events.on`. */
  hooks?: EventHooksOption;
}

export async function createCore(settings: Settings, options: CoreOptions = {}): Promise<Core> {
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    return await buildCore(settings, options, opened);
  } catch (error) {
    // A failed start (e.g. Redis unreachable) must not leave a reconnecting client holding the process.
    await Promise.allSettled(opened.map((resource) => resource.close()));
    throw explainStartupFailure(error, settings);
  }
}

async function buildCore(
  settings: Settings,
  options: CoreOptions,
  opened: Array<{ close(): Promise<void> }>,
): Promise<Core> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(settings.logLevel);
  const warnings: string[] = [];
  checkSmsSettings(settings);
  // First, so a bad policy stops start-up before anything is opened.
  const policy = options.policy ?? (await loadPolicyFile(settings));
  checkSamlSettings(settings, policy);
  const mailTemplates = loadMailTemplates(settings.mail.templatesDir);
  checkDataDir(settings);
  const webhookEndpoints = resolveEndpoints(settings, process.env);
  const secret = resolveSecretKey(settings);
  if (secret.generated) {
    warnings.push(
      `no GATEHOUSE_SECRET_KEY: generated one into ${join(settings.dataDir, 'secret.key')} (development only)`,
    );
  }
  const metrics = createMetrics();
  const store = openStore(settings, logger, metrics);
  opened.push(store);
  metrics.watchPool(() => store.pool());
  if (options.migrate !== false) await migrateToLatest(store);
  await checkSecretKeyOpensSealed(store.db, secret.key);
  const cache = settings.redisUrl
    ? createRedisCache({
        url: settings.redisUrl,
        prefix: options.cachePrefix ?? settings.redisPrefix,
        clock,
        logger,
        metrics,
      })
    : createMemoryCache(clock);
  opened.push(cache);
  const outbox = settings.smtpUrl
    ? undefined
    : createOutboxMailer(join(settings.dataDir, 'outbox.jsonl'), clock);
  const transport: Mailer = settings.smtpUrl
    ? createSmtpMailer(settings.smtpUrl, settings.mailFrom)
    : (outbox as Mailer);
  const background = createBackgroundTasks(logger);
  const mailer = deliverInBackground(transport, background);
  if (outbox && settings.nodeEnv === 'production') {
    warnings.push('no SMTP_URL: mail is written to the local outbox file, not delivered');
  }
  const smsOutbox = settings.sms.url
    ? undefined
    : createOutboxSmsSender(join(settings.dataDir, 'sms-outbox.jsonl'), clock);
  const smsTransport: SmsSender = settings.sms.url
    ? createHttpSmsSender({
        url: settings.sms.url,
        token: settings.sms.token ?? '',
        from: settings.sms.from ?? '',
      })
    : (smsOutbox as SmsSender);
  const sms = deliverSmsInBackground(smsTransport, background);
  const keys = await openKeyRing({
    db: store.db,
    secretKey: secret.key,
    clock,
    algorithm: settings.tokens.signingAlgorithm,
    extraAlgorithms: settings.tokens.rsaSigningKey ? ['RS256'] : [],
    accessTokenLifetimeSeconds: settings.tokens.accessTokenLifetimeSeconds,
    rotationSeconds: settings.tokens.keyRotationSeconds,
  });
  await keys.rotateIfDue();
  const revocations = await openRevocationFeed({
    db: store.db,
    cache,
    clock,
    logger,
    pollIntervalSeconds: settings.revocation.pollIntervalSeconds,
    onLag: metrics.revocationLag,
  });
  const issuer = settings.publicUrl ?? `http://localhost:${settings.port}`;
  const accessTokens = createVerifier({
    jwks: keys.getKey,
    issuer,
    audience: settings.tokens.audience,
    algorithms: [...keys.algorithms()],
    // Our own tokens claim exactly the configured lifetime: one claiming more was not minted here.
    clockToleranceSeconds: ACCESS_TOKEN_SKEW_SECONDS,
    maxTokenAgeSeconds: settings.tokens.accessTokenLifetimeSeconds + ACCESS_TOKEN_SKEW_SECONDS,
    revocation: revocations.set,
    now: () => clock.now(),
    // Our own routes enforce a session's restriction (principal.restriction); resource servers refuse it.
    acceptRestricted: true,
  });
  if (settings.trustProxy === true) {
    warnings.push(
      'trustProxy=true: every X-Forwarded-For hop is believed, so clients can forge their IP; name the proxy instead',
    );
  }
  if (settings.allowInsecureBasicOverHttp) {
    warnings.push(
      'allowInsecureBasicOverHttp: Basic credentials are accepted over plain HTTP from any address',
    );
  }
  const { password } = settings;
  if (password.hashConcurrency) setHashConcurrency(password.hashConcurrency);
  metrics.watchHashQueue(hashQueueStats);
  const stopObservingHashes = observeHashQueue({
    waited: metrics.hashWait,
    refused: () => metrics.rateLimited('password_hash_queue'),
  });
  opened.push({ close: async () => void stopObservingHashes() });
  const webhooks = createWebhooks({
    settings: settings.webhooks,
    endpoints: webhookEndpoints,
    store,
    clock,
    logger,
    background,
    hooks: options.hooks,
  });
  opened.push(webhooks);
  return {
    settings,
    store,
    cache,
    mailer,
    mailTemplates,
    background,
    outbox,
    sms,
    smsOutbox,
    clock,
    logger,
    metrics,
    secretKey: secret.key,
    argon2: {
      memoryKiB: password.argon2MemoryKiB,
      timeCost: password.argon2TimeCost,
      parallelism: password.argon2Parallelism,
    },
    passwordPolicy: {
      minLength: password.minLength,
      maxLength: password.maxLength,
      contextWords: password.contextWords,
    },
    issuer,
    keys,
    revocations,
    accessTokens,
    policy,
    warnings,
    webhooks,
    events: webhooks.events,
    async close() {
      // The commit watch first: what it still runs (hooks) lands in the background drained next.
      await webhooks.close();
      await background.drain();
      revocations.close();
      await cache.close();
      await store.close();
      stopObservingHashes();
    },
  };
}

const unreadable: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

/** The configured policy; a file that is not there is a setting's problem (a bad one is a PolicyError). */
async function loadPolicyFile(settings: Settings): Promise<Policy> {
  try {
    return await loadConfiguredPolicy(settings);
  } catch (error) {
    const problem = unreadable[(error as NodeJS.ErrnoException).code ?? ''];
    if (problem === undefined || settings.policyFile === undefined) throw error;
    throw new ConfigError(
      'policyFile',
      `cannot read ${settings.policyFile}: ${problem} (GATEHOUSE_POLICY)`,
    );
  }
}

/** SMS on in production must reach phones: an outbox there would swallow every code. */
function checkSmsSettings(settings: Settings): void {
  if (settings.sms.enabled && !settings.sms.url && settings.nodeEnv === 'production')
    throw new ConfigError('sms.url', 'required when sms.enabled in production (SMS_URL)');
}
