import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/load.js';
import { resolveSecretKey } from '../../src/config/secret-key.js';
import { ConfigError } from '../../src/errors.js';

describe('settings', () => {
  it('has secure defaults', () => {
    const s = loadSettings({ env: {} });
    expect(s).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      revealRegisteredEmails: false,
    });
    expect(s.session).toEqual({
      idleTimeoutSeconds: 1800,
      absoluteTimeoutSeconds: 604800,
      maxPerUser: 50,
      cacheSize: 10000,
      touchIntervalSeconds: 60,
    });
    expect(s.purge).toEqual({
      intervalSeconds: 300,
      graceSeconds: 86400,
      batchSize: 1000,
      maxBatchesPerRun: 5,
    });
    expect(s.password).toMatchObject({
      minLength: 15,
      maxLength: 256,
      argon2MemoryKiB: 19456,
      argon2TimeCost: 2,
      argon2Parallelism: 1,
    });
  });

  it('namespaces Redis by REDIS_PREFIX and polls revocations every 5 s by default', () => {
    const defaults = loadSettings({ env: {} });
    expect(defaults.redisPrefix).toBe('gatehouse:');
    expect(defaults.revocation).toEqual({ pollIntervalSeconds: 5, streamHeartbeatSeconds: 15 });
    expect(loadSettings({ env: { REDIS_PREFIX: 'tenant-a:' } }).redisPrefix).toBe('tenant-a:');
    expect(() =>
      loadSettings({ env: {}, flags: { revocation: { pollIntervalSeconds: 0 } } }),
    ).toThrow(/^revocation\.pollIntervalSeconds: /);
    expect(() =>
      loadSettings({ env: {}, flags: { revocation: { streamHeartbeatSeconds: 0 } } }),
    ).toThrow(/^revocation\.streamHeartbeatSeconds: /);
  });

  it('layers flags over environment over file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-config-'));
    const file = join(dir, 'gatehouse.json');
    writeFileSync(
      file,
      JSON.stringify({ port: 1000, logLevel: 'warn', session: { idleTimeoutSeconds: 60 } }),
    );
    const s = loadSettings({ env: { PORT: '2000' }, configFile: file, flags: {} });
    expect(s.port).toBe(2000);
    expect(s.logLevel).toBe('warn');
    expect(s.session.idleTimeoutSeconds).toBe(60);
    expect(s.session.absoluteTimeoutSeconds).toBe(604800);
    expect(
      loadSettings({ env: { PORT: '2000' }, configFile: file, flags: { port: 3000 } }).port,
    ).toBe(3000);
  });

  it('names the bad setting', () => {
    expect(() => loadSettings({ env: { PORT: '99999' } })).toThrow(/^port: /);
    expect(() => loadSettings({ env: { REDIS_URL: 'http://x' } })).toThrow(/^redisUrl: /);
    expect(() => loadSettings({ env: {}, flags: { nope: 1 } as never })).toThrow(ConfigError);
  });

  it('generates a dev secret into the data dir once, readable only by its owner', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-secret-'));
    const settings = loadSettings({ env: {}, flags: { dataDir } });
    const first = resolveSecretKey(settings);
    expect(first.generated).toBe(true);
    expect(first.key).toHaveLength(32);
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o077).toBe(0);
    const second = resolveSecretKey(settings);
    expect(second.generated).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()).toBe(
      first.key.toString('base64url'),
    );
  });

  it('refuses production without a secret, and a malformed secret anywhere', () => {
    expect(() => resolveSecretKey(loadSettings({ env: { NODE_ENV: 'production' } }))).toThrow(
      /required when NODE_ENV=production/,
    );
    expect(() =>
      resolveSecretKey(loadSettings({ env: { GATEHOUSE_SECRET_KEY: 'short' } })),
    ).toThrow(/32 bytes/);
  });
});

describe('boolean settings from the environment', () => {
  it('reads "false" as false and refuses other words', () => {
    expect(loadSettings({ env: { GATEHOUSE_TRUST_PROXY: 'false' } }).trustProxy).toBe(false);
    expect(loadSettings({ env: { GATEHOUSE_TRUST_PROXY: 'true' } }).trustProxy).toBe(true);
    expect(() => loadSettings({ env: { GATEHOUSE_TRUST_PROXY: 'maybe' } })).toThrow(
      /^trustProxy: /,
    );
  });
});

describe('tokens.rsaSigningKey', () => {
  it('is off by default and read from GATEHOUSE_RSA_SIGNING_KEY beside the other token settings', () => {
    expect(loadSettings({ env: {} }).tokens.rsaSigningKey).toBe(false);
    const on = loadSettings({
      env: { GATEHOUSE_RSA_SIGNING_KEY: 'true' },
      flags: { tokens: { signingAlgorithm: 'ES256' } },
    });
    expect(on.tokens).toMatchObject({ rsaSigningKey: true, signingAlgorithm: 'ES256' });
    expect(() => loadSettings({ env: { GATEHOUSE_RSA_SIGNING_KEY: 'maybe' } })).toThrow(
      /^tokens\.rsaSigningKey: /,
    );
  });
});

describe('trustProxy', () => {
  it('takes a hop count or proxy addresses, and refuses anything else', () => {
    expect(loadSettings({ env: { GATEHOUSE_TRUST_PROXY: '1' } }).trustProxy).toBe(1);
    expect(
      loadSettings({ env: { GATEHOUSE_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' } }).trustProxy,
    ).toBe('10.0.0.1,192.168.0.0/16');
    expect(() => loadSettings({ env: { GATEHOUSE_TRUST_PROXY: 'everyone' } })).toThrow(
      /^trustProxy: /,
    );
  });
});

describe('branding, mail templates and requireVerifiedEmail', () => {
  it('default to Gatehouse, no logo, a blue accent, the built-in templates and no gate', () => {
    const s = loadSettings({ env: {} });
    expect(s.branding).toEqual({ productName: 'Gatehouse', accentColor: '#2563eb' });
    expect(s.mail).toEqual({});
    expect(s.requireVerifiedEmail).toBe(false);
  });

  it('come from the environment', () => {
    const s = loadSettings({
      env: {
        GATEHOUSE_PRODUCT_NAME: 'Acme',
        GATEHOUSE_LOGO_URL: '/static/logo.svg',
        GATEHOUSE_ACCENT_COLOR: '#0A0',
        GATEHOUSE_MAIL_TEMPLATES_DIR: '/etc/gatehouse/mail',
        GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true',
      },
    });
    expect(s.branding).toEqual({
      productName: 'Acme',
      logoUrl: '/static/logo.svg',
      accentColor: '#0A0',
    });
    expect(s.mail.templatesDir).toBe('/etc/gatehouse/mail');
    expect(s.requireVerifiedEmail).toBe(true);
  });

  it('take a logo as an http(s) URL or a path on this server, nothing else', () => {
    const logo = (value: string) => () => loadSettings({ env: { GATEHOUSE_LOGO_URL: value } });
    for (const ok of [
      'https://cdn.example.com/logo.png',
      'http://localhost:8080/l.svg',
      '/logo.svg',
    ])
      expect(loadSettings({ env: { GATEHOUSE_LOGO_URL: ok } }).branding.logoUrl).toBe(ok);
    for (const bad of [
      '//evil.example/logo.png',
      '/\\evil.example/logo.png',
      'javascript:alert(1)',
      'data:image/svg+xml,<svg/>',
      'logo.png',
      '/logo .svg',
      'https://exa mple.com/x',
    ])
      expect(logo(bad), bad).toThrow(
        /^branding\.logoUrl: an http\(s\) URL or a path starting with "\/"/,
      );
  });

  it('take the accent colour as #rgb or #rrggbb only', () => {
    for (const ok of ['#abc', '#A1B2C3'])
      expect(loadSettings({ env: { GATEHOUSE_ACCENT_COLOR: ok } }).branding.accentColor).toBe(ok);
    for (const bad of ['red', '#abcd', '#12345g', 'abc', '#fff;background:url(x)'])
      expect(() => loadSettings({ env: { GATEHOUSE_ACCENT_COLOR: bad } }), bad).toThrow(
        /^branding\.accentColor: a CSS hex colour/,
      );
  });

  it('refuse an empty or overlong product name', () => {
    expect(() => loadSettings({ env: {}, flags: { branding: { productName: '  ' } } })).toThrow(
      /^branding\.productName/,
    );
    expect(() =>
      loadSettings({ env: {}, flags: { branding: { productName: 'x'.repeat(101) } } }),
    ).toThrow(/^branding\.productName/);
  });
});

describe('provider.resourceServers', () => {
  it('takes API scopes, but never one named like an OpenID Connect scope', () => {
    const api = { audience: 'https://api.example', scopes: ['orders:read'] };
    expect(
      loadSettings({ env: {}, flags: { provider: { resourceServers: [api] } } }).provider
        .resourceServers,
    ).toEqual([api]);
    for (const scope of ['offline_access', 'email', 'openid'])
      expect(() =>
        loadSettings({
          env: {},
          flags: { provider: { resourceServers: [{ ...api, scopes: ['orders:read', scope] }] } },
        }),
      ).toThrow(/OpenID Connect scope/);
  });
});
