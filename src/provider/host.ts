import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Core } from '../core.js';
import { UnavailableError } from '../errors.js';
import { sendBackchannelLogouts } from './backchannel.js';
import type { ProviderPages } from './provider.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ProviderHost {
  /** The provider signing with the key ring's current keys (rebuilt when they change). */
  current(): Promise<{ provider: Provider; handle: Handler }>;
}

/** The longest a relying party is asked to wait when the store is down. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Holds the provider. oidc-provider takes its keys at construction, so when
 * the ring rotates (here, on another instance, or by `gatehouse keys
 * rotate`) a new provider is built; all its state lives in the store, so the
 * old and the new one serve the same codes, grants and sessions.
 */
export function createProviderHost(core: Core, pages: ProviderPages): ProviderHost {
  let built: { kids: string; provider: Provider; handle: Handler } | undefined;
  const host: ProviderHost = {
    async current() {
      await core.keys.refreshIfStale();
      const kids = core.keys
        .signingKeys()
        .map((key) => key.kid)
        .join(' ');
      if (built?.kids !== kids) {
        // Loaded on first use: oidc-provider is a large module (and warns on Node.js 20 as it loads).
        const { buildProvider } = await import('./provider.js');
        const provider = buildProvider(core, pages);
        answerOutagesWith503(core, provider);
        pages.decorate?.(provider);
        built = { kids, provider, handle: provider.callback() };
      }
      return built;
    },
  };
  sendBackchannelLogouts(core, async () => (await host.current()).provider);
  return host;
}

/**
 * A store outage inside the provider is its `server_error` (500); the fault
 * rules want 503 with Retry-After: RFC 6749's `temporarily_unavailable`.
 * The outermost middleware, so a failure in Gatehouse's own middlewares
 * (single logout, after the provider answered) is caught here too: logged
 * through the logger (never Koa's console default) and answered in the same format.
 */
function answerOutagesWith503(core: Core, provider: Provider): void {
  const outages = new WeakSet<object>();
  provider.on('server_error', (ctx, error) => {
    if (isOutage(error)) outages.add(ctx);
  });
  provider.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (isOutage(error)) outages.add(ctx);
      else core.logger.error({ err: error }, 'openid provider: middleware failed');
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'something went wrong on our side' };
    }
    if (!outages.has(ctx)) return;
    ctx.status = 503;
    ctx.set('retry-after', String(RETRY_AFTER_SECONDS));
    if (ctx.type !== 'text/html') {
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: 'a dependency is unavailable; try again shortly',
      };
    }
  });
}

const isOutage = (error: unknown): boolean => {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof UnavailableError) return true;
  }
  return false;
};
