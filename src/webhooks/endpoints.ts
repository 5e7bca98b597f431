import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import type { Settings } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { WebhookEventType } from './events.js';
import { secretKey } from './signature.js';

/** A receiver, ready to sign for: the settings' endpoint with its secret read and decoded. */
export interface Endpoint {
  id: string;
  url: URL;
  key: Buffer;
  wants(type: WebhookEventType): boolean;
}

type EndpointSettings = Settings['webhooks']['endpoints'][number];

/** This machine, however it is spelt: 127/8, ::1, the unspecified addresses, IPv4-mapped forms. */
const THIS_MACHINE = new BlockList();
THIS_MACHINE.addSubnet('127.0.0.0', 8, 'ipv4');
THIS_MACHINE.addAddress('0.0.0.0', 'ipv4');
THIS_MACHINE.addAddress('::1', 'ipv6');
THIS_MACHINE.addAddress('::', 'ipv6');
THIS_MACHINE.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
THIS_MACHINE.addAddress('::ffff:0.0.0.0', 'ipv6');

const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && THIS_MACHINE.check(host, family === 4 ? 'ipv4' : 'ipv6');
};

/**
 * Events carry email addresses and are signed with a shared secret: they go
 * over TLS. A receiver on this machine (plain http allowed) is for
 * development and tests only; in production it is refused, as the provider
 * refuses loopback calls there.
 */
function checkUrl(url: URL, setting: string, production: boolean): void {
  const loopback = isLoopbackHost(url.hostname);
  if (loopback && production)
    throw new ConfigError(setting, 'a loopback address is refused in production');
  if (url.protocol !== 'https:' && !loopback)
    throw new ConfigError(setting, 'must be https:// (http only to a loopback address)');
}

function secretText(endpoint: EndpointSettings, setting: string, env: NodeJS.ProcessEnv): string {
  if (endpoint.secret !== undefined) return endpoint.secret;
  if (endpoint.secretEnv !== undefined) {
    const value = env[endpoint.secretEnv];
    if (!value) throw new ConfigError(`${setting}Env`, `${endpoint.secretEnv} is not set`);
    return value;
  }
  const file = endpoint.secretFile ?? '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${setting}File`, `cannot read ${file}`);
  }
}

/** Reads and checks every endpoint once, at start-up: a bad one stops the start naming its setting. */
export function resolveEndpoints(settings: Settings, env: NodeJS.ProcessEnv): Endpoint[] {
  const production = settings.nodeEnv === 'production';
  return settings.webhooks.endpoints.map((endpoint, index) => {
    const path = `webhooks.endpoints.${index}`;
    const url = new URL(endpoint.url);
    checkUrl(url, `${path}.url`, production);
    const key = secretKey(secretText(endpoint, `${path}.secret`, env));
    if (!key)
      throw new ConfigError(
        `${path}.secret`,
        'not a Standard Webhooks secret (whsec_ + base64 of 24 to 64 random bytes)',
      );
    const all = endpoint.events.includes('*');
    const events = new Set<string>(endpoint.events);
    return { id: endpoint.id, url, key, wants: (type) => all || events.has(type) };
  });
}
