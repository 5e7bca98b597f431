import { createEventStreamParser } from './event-stream.js';
import { once, resolveLogger, type VerifierLogger } from './logger.js';
import type { RevocationSet } from './revocation.js';
import { applyRevocationMessage, parseRevocationMessage } from './revocation-feed.js';
import { VerifyError } from './verify-error.js';

/** How the resource server proves to Gatehouse that it may read revocations. */
export type StreamCredential =
  /** A service account holding `revocations:read` (role `resource_server`), sent as Basic. */
  | { readonly username: string; readonly password: string }
  /** An API key of such an account, sent as a Bearer token. */
  | { readonly apiKey: string };

export interface RevocationSubscriptionOptions {
  /** Gatehouse's `GET /auth/revocations` (printed at its start-up). */
  readonly url: string | URL;
  readonly credential: StreamCredential;
  /**
   * After a disconnect, tokens are still accepted on what is known for this
   * long while the stream reconnects (a Gatehouse restart or deploy); past it
   * every verification fails with 503 `revocations_unavailable` until the
   * stream has caught up again. Default 60. `Infinity` never fails closed:
   * revoked tokens then live until their `exp` while Gatehouse is away.
   * Before the first catch-up, tokens are always refused: await `ready`.
   */
  readonly maxStaleSeconds?: number;
  /** Reconnect when nothing (not even a heartbeat) arrived for this long. Default 45. */
  readonly idleTimeoutSeconds?: number;
  /** The longest wait between reconnection attempts. Default 30. */
  readonly maxBackoffSeconds?: number;
  readonly logger?: VerifierLogger | false;
}

export type SubscriptionState = 'connecting' | 'catching_up' | 'live' | 'disconnected' | 'closed';

export interface RevocationSubscription {
  /**
   * Resolves once everything in force has been applied (the first `ready`
   * event). Rejects with a VerifyError when Gatehouse refuses the credential
   * (401/403) or has no such stream (404); it keeps trying in the background.
   */
  readonly ready: Promise<void>;
  readonly state: SubscriptionState;
  /** True whenever the set may miss revocations: not caught up, or disconnected. */
  readonly stale: boolean;
  /** Where the stream resumes (`Last-Event-ID`); undefined before the first event. */
  readonly lastEventId: string | undefined;
  /** Throws VerifyError `revocations_unavailable` when verification must fail closed. */
  assertFresh(): void;
  close(): void;
}

/** `now` returns epoch milliseconds, like Date.now. */
export interface SubscriptionRuntime {
  readonly set: RevocationSet;
  readonly now: () => number;
}

const REFUSED = new Set([401, 403, 404]);

/**
 * Subscribes to Gatehouse's revocation stream with the global `fetch`:
 * applies each message to `set`, reconnects with exponential backoff (from
 * the server's `retry` hint up to `maxBackoffSeconds`, jittered) and resumes
 * from the last event id, so nothing revoked while away is missed.
 */
export function subscribeRevocations(
  options: RevocationSubscriptionOptions,
  runtime: SubscriptionRuntime,
): RevocationSubscription {
  const settings = resolveSubscription(options);
  const warnOnce = once(resolveLogger(options.logger));
  const { now, set } = runtime;
  let state: SubscriptionState = 'connecting';
  let lastEventId: string | undefined;
  let everLive = false;
  let staleSinceMs = now();
  let retryMs = 1000;
  let attempt = 0;
  let controller: AbortController | undefined;
  let wake: (() => void) | undefined;
  /** A function, not a comparison: close() changes the state while an attempt awaits. */
  const closed = () => state === 'closed';

  let settleReady: { resolve(): void; reject(error: VerifyError): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = { resolve, reject };
  });
  // Nobody has to await it: an unawaited rejection must not crash the process.
  ready.catch(() => {});

  const leaveLive = () => {
    if (state === 'live') staleSinceMs = now();
  };

  const readStream = async (response: Response, signal: AbortController) => {
    if (!response.body) throw new Error('no body');
    const parser = createEventStreamParser(
      {
        retry: (milliseconds) => {
          retryMs = Math.max(100, milliseconds);
        },
        event: (event) => {
          lastEventId = event.lastEventId === '' ? lastEventId : event.lastEventId;
          if (event.type === 'message') {
            const message = parseRevocationMessage(event.data);
            if (message) applyRevocationMessage(set, message);
          } else if (event.type === 'ready' && !closed()) {
            state = 'live';
            everLive = true;
            attempt = 0;
            settleReady?.resolve();
          }
        },
      },
      lastEventId ?? '',
    );
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => signal.abort(), settings.idleTimeoutMs);
    };
    try {
      touch();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        touch();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      clearTimeout(idle);
      reader.releaseLock();
    }
  };

  const connectOnce = async (): Promise<number | undefined> => {
    const attemptController = new AbortController();
    controller = attemptController;
    state = 'connecting';
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: authorizationOf(options.credential),
    };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    try {
      const response = await fetch(settings.url, { headers, signal: attemptController.signal });
      if (!response.ok) {
        await response.body?.cancel();
        return refused(response);
      }
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
        await response.body?.cancel();
        warnOnce(`gatehouse/verify: ${settings.url} is not an event stream`);
        return undefined;
      }
      if (!closed()) state = 'catching_up';
      await readStream(response, attemptController);
    } catch {
      // Connection refused, reset, aborted on idle: all retried the same way.
    }
    return undefined;
  };

  /** A refused connection; returns the server's Retry-After in milliseconds, if it gave one. */
  const refused = (response: Response): number | undefined => {
    if (REFUSED.has(response.status)) {
      const reason = response.status === 404 ? 'no_stream' : 'credential_refused';
      warnOnce(
        `gatehouse/verify: the revocation stream answered ${response.status} (${
          response.status === 404
            ? 'wrong URL?'
            : 'check the credential and that its account holds revocations:read'
        })`,
      );
      settleReady?.reject(
        new VerifyError('revocations_unavailable', reason, {
          message: `revocations_unavailable: the stream answered ${response.status}`,
        }),
      );
      return settings.maxBackoffMs;
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async () => {
    while (!closed()) {
      const serverDelayMs = await connectOnce();
      if (closed()) return;
      leaveLive();
      state = 'disconnected';
      const backoffMs = Math.min(settings.maxBackoffMs, retryMs * 2 ** attempt);
      attempt += 1;
      const jittered = backoffMs * (0.5 + Math.random() / 2);
      await sleep(Math.min(settings.maxBackoffMs, serverDelayMs ?? jittered));
    }
  };
  void run();

  return {
    ready,
    get state() {
      return state;
    },
    get stale() {
      return state !== 'live';
    },
    get lastEventId() {
      return lastEventId;
    },
    assertFresh() {
      if (state === 'live') return;
      if (!everLive) throw new VerifyError('revocations_unavailable', 'not_ready');
      if (now() - staleSinceMs > settings.maxStaleMs) {
        throw new VerifyError('revocations_unavailable', 'stream_stale');
      }
    },
    close() {
      leaveLive();
      state = 'closed';
      controller?.abort();
      wake?.();
    },
  };
}

function resolveSubscription(options: RevocationSubscriptionOptions) {
  const url = new URL(options.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError('revocations.url must be an http(s) URL');
  }
  const seconds = (name: string, value: number | undefined, fallback: number) => {
    const resolved = value ?? fallback;
    if (!(resolved > 0)) throw new TypeError(`revocations.${name} must be a positive number`);
    return resolved * 1000;
  };
  authorizationOf(options.credential);
  return {
    url,
    maxStaleMs: seconds('maxStaleSeconds', options.maxStaleSeconds, 60),
    idleTimeoutMs: seconds('idleTimeoutSeconds', options.idleTimeoutSeconds, 45),
    maxBackoffMs: seconds('maxBackoffSeconds', options.maxBackoffSeconds, 30),
  };
}

function authorizationOf(credential: StreamCredential): string {
  if (typeof credential !== 'object' || credential === null) {
    throw new TypeError('revocations.credential must be {username, password} or {apiKey}');
  }
  if ('apiKey' in credential) {
    if (typeof credential.apiKey !== 'string' || credential.apiKey === '') {
      throw new TypeError('revocations.credential.apiKey must be a non-empty string');
    }
    return `Bearer ${credential.apiKey}`;
  }
  const { username, password } = credential;
  if (typeof username !== 'string' || username === '' || username.includes(':')) {
    throw new TypeError('revocations.credential.username must be a non-empty string without ":"');
  }
  if (typeof password !== 'string') {
    throw new TypeError('revocations.credential.password must be a string');
  }
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
