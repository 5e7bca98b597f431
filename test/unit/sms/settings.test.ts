import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load.js';
import { createCore } from '../../../src/core.js';
import { ConfigError } from '../../../src/errors.js';

describe('SMS and magic-link settings', () => {
  it('has SMS off by default, with 5-minute codes, 5 tries and send limits', () => {
    const { sms, magicLinkLifetimeSeconds, rateLimit } = loadSettings({ env: {} });
    expect(sms).toEqual({
      enabled: false,
      codeLifetimeSeconds: 300,
      codeMaxAttempts: 5,
      sendPerNumber: 5,
      sendPerAccount: 5,
      sendPerIp: 20,
      sendWindowSeconds: 3600,
    });
    expect(magicLinkLifetimeSeconds).toBe(900);
    expect(rateLimit.magicLinkPerAccount).toBe(5);
  });

  it('reads the provider from the environment', () => {
    const { sms } = loadSettings({
      env: {
        GATEHOUSE_SMS_ENABLED: 'true',
        SMS_URL: 'https://api.example.com/messages',
        SMS_TOKEN: 'AC1:secret',
        SMS_FROM: '+15005550006',
      },
    });
    expect(sms).toMatchObject({
      enabled: true,
      url: 'https://api.example.com/messages',
      token: 'AC1:secret',
      from: '+15005550006',
    });
  });

  it('wants a token and a sender with a URL, and TLS unless the provider is local', () => {
    const load = (sms: Record<string, unknown>) => () =>
      loadSettings({ env: {}, flags: { sms } as never });
    expect(load({ url: 'https://api.example.com/m' })).toThrow(ConfigError);
    expect(load({ url: 'https://api.example.com/m', token: 't' })).toThrow(/sms\.from/);
    expect(load({ url: 'http://api.example.com/m', token: 't', from: 'x' })).toThrow(/https/);
    expect(load({ url: 'http://127.0.0.1:9/m', token: 't', from: 'x' })).not.toThrow();
    expect(load({ codeLifetimeSeconds: 5000 })).toThrow(ConfigError);
  });

  it('refuses to start in production with SMS on and no provider', async () => {
    const settings = loadSettings({
      env: {},
      flags: { nodeEnv: 'production', sms: { enabled: true } },
    });
    await expect(createCore(settings)).rejects.toThrow(/sms\.url/);
  });
});
