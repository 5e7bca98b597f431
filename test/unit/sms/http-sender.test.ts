import { afterEach, describe, expect, it } from 'vitest';
import { createHttpSmsSender } from '../../../src/sms/http.js';
import { startSmsProvider } from '../../helpers/sms-provider.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function provider(status?: number) {
  const started = await startSmsProvider(status);
  closers.push(started.close);
  return started;
}

describe('the HTTP SMS sender', () => {
  it('form-POSTs To, From and Body with a Bearer token', async () => {
    const p = await provider();
    const sender = createHttpSmsSender({ url: p.url, token: 'tok-123', from: '+15005550006' });
    await sender.send({ to: '+447700900123', body: 'Your code is 123456' });
    expect(p.received).toHaveLength(1);
    const [sms] = p.received;
    expect(sms?.method).toBe('POST');
    expect(sms?.path).toBe('/2010-04-01/Accounts/AC1/Messages.json');
    expect(sms?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sms?.headers.authorization).toBe('Bearer tok-123');
    expect(sms?.form).toEqual({
      To: '+447700900123',
      From: '+15005550006',
      Body: 'Your code is 123456',
    });
  });

  it("sends a user:secret token as Basic (Twilio's account SID and auth token)", async () => {
    const p = await provider();
    const sender = createHttpSmsSender({ url: p.url, token: 'AC1:s3cret', from: 'Gatehouse' });
    await sender.send({ to: '+447700900123', body: 'hello' });
    expect(p.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('AC1:s3cret').toString('base64')}`,
    );
  });

  it('fails on a non-2xx answer, naming the status but neither the token nor the text', async () => {
    const p = await provider(401);
    const sender = createHttpSmsSender({ url: p.url, token: 'tok-secret', from: 'Gatehouse' });
    const failure = await sender.send({ to: '+447700900123', body: 'code 654321' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toBe('SMS provider answered 401');
    expect(message).not.toContain('tok-secret');
    expect(message).not.toContain('654321');
  });

  it('fails when the provider cannot be reached, without the URL or token', async () => {
    const p = await provider();
    await p.close();
    closers.length = 0;
    const sender = createHttpSmsSender({ url: p.url, token: 'tok-secret', from: 'Gatehouse' });
    const failure = await sender.send({ to: '+447700900123', body: 'code 654321' }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/^SMS provider unreachable/);
    expect(failure?.message).not.toContain('tok-secret');
  });
});
