import type { Settings } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { isLoopbackAddress } from './loopback.js';

/**
 * Without GATEHOUSE_PUBLIC_URL the origin that CSRF checks accept is built
 * from the request's own Host header, so `Host: evil.example` with `Origin:
 * http://evil.example` passes. Production refuses that; development is told.
 */
export function publicUrlWarning(settings: Settings): string | null {
  if (settings.publicUrl !== undefined) return null;
  if (settings.nodeEnv === 'production') {
    throw new ConfigError(
      'publicUrl',
      'GATEHOUSE_PUBLIC_URL is required when NODE_ENV=production (without it the Host header decides the origin)',
    );
  }
  return `no GATEHOUSE_PUBLIC_URL: the origin that CSRF checks accept comes from the Host header, and links in mails point at http://localhost:${settings.port} (development only)`;
}

const isLoopbackHost = (host: string): boolean => {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || isLoopbackAddress(name);
};

/**
 * `/dev/outbox` hands every mailed reset and verification token to whoever
 * asks, so it exists only outside production and only when nobody but this
 * machine can reach the port.
 */
export function devOutboxServed(settings: Settings): { served: boolean; why: string } {
  if (settings.nodeEnv === 'production') return { served: false, why: 'NODE_ENV=production' };
  if (!isLoopbackHost(settings.host))
    return { served: false, why: `host ${settings.host} is not loopback` };
  return {
    served: true,
    why: `listening on loopback (${settings.host}), NODE_ENV=${settings.nodeEnv}`,
  };
}

/**
 * The metrics port off loopback is for a scraper on a private network; without
 * `metrics.token` anyone who reaches that network reads every counter, so it is refused.
 */
export function checkMetricsListener(settings: Settings): void {
  const { port, host, token } = settings.metrics;
  if (port === undefined || token !== undefined || isLoopbackHost(host)) return;
  throw new ConfigError(
    'metrics.host',
    `metrics.port on ${host} (not loopback) needs metrics.token (GATEHOUSE_METRICS_TOKEN)`,
  );
}
