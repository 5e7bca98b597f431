import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInUser } from '../helpers/accounts.js';
import { Client } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { smsOutbox, uniquePhone } from '../helpers/sms.js';
import { startSmsProvider } from '../helpers/sms-provider.js';

const TOKEN = 'AC1:provider-auth-token';

let provider: Awaited<ReturnType<typeof startSmsProvider>>;
let server: TestServer;
beforeAll(async () => {
  provider = await startSmsProvider();
  server = await startTestServer({
    settings: { sms: { enabled: true, url: provider.url, token: TOKEN, from: '+15005550006' } },
  });
});
afterAll(async () => {
  await server.stop();
  await provider.close();
});

describe('SMS through a provider', () => {
  it('texts setup and login codes through the configured endpoint, not the outbox', async () => {
    const { client, email, password } = await signedInUser(server);
    const phone = uniquePhone();
    expect((await client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
    await server.core.background.drain();
    const sent = provider.received.filter((r) => r.form.To === phone);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers.authorization).toBe(`Basic ${Buffer.from(TOKEN).toString('base64')}`);
    expect(sent[0]?.form.From).toBe('+15005550006');
    const code = sent[0]?.form.Body?.match(/\b(\d{6})\b/)?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    expect((await client.post('/auth/mfa/sms/confirm', { code })).status).toBe(201);
    expect(await smsOutbox(server)).toEqual([]);

    const login = await new Client(server.url).post<{ challenge: string }>('/auth/login', {
      email,
      password,
    });
    const { challenge } = login.body;
    expect((await new Client(server.url).post('/auth/mfa/sms/send', { challenge })).status).toBe(
      202,
    );
    await server.core.background.drain();
    const loginText = provider.received.filter((r) => r.form.To === phone).at(-1);
    const loginCode = loginText?.form.Body?.match(/\b(\d{6})\b/)?.[1];
    const done = await new Client(server.url).post('/auth/mfa/verify', {
      challenge,
      method: 'sms',
      code: loginCode,
    });
    expect(done.status).toBe(200);
    const logs = server.logs.join('\n');
    expect(logs).not.toContain('provider-auth-token');
    expect(logs).not.toMatch(new RegExp(`(?<!\\d)(${code}|${loginCode})(?!\\d)`));
  });
});

describe('a provider that fails', () => {
  it('logs the failed send by its status, without the token, the number or the code', async () => {
    const failing = await startSmsProvider(500);
    const broken = await startTestServer({
      settings: { sms: { enabled: true, url: failing.url, token: TOKEN, from: 'Gatehouse' } },
    });
    try {
      const { client } = await signedInUser(broken);
      const phone = uniquePhone();
      expect((await client.post('/auth/mfa/sms/setup', { phone })).status).toBe(202);
      await broken.core.background.drain();
      const code = failing.received[0]?.form.Body?.match(/\b(\d{6})\b/)?.[1] ?? 'none';
      const logs = broken.logs.join('\n');
      expect(logs).toContain('SMS provider answered 500');
      expect(logs).not.toContain('provider-auth-token');
      expect(logs).not.toContain(phone);
      expect(logs).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
    } finally {
      await broken.stop();
      await failing.close();
    }
  });
});
