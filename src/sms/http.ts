import type { Sms, SmsSender } from './sender.js';

export interface HttpSmsOptions {
  /** The provider's message endpoint, e.g. Twilio's `.../Accounts/{SID}/Messages.json`. */
  url: string;
  /** `user:secret` is sent as Basic (Twilio's SID and auth token); anything else as a Bearer token. */
  token: string;
  from: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const authorization = (token: string): string =>
  token.includes(':')
    ? `Basic ${Buffer.from(token, 'utf8').toString('base64')}`
    : `Bearer ${token}`;

/**
 * A provider shaped like the common SMS APIs (Twilio, and the many that copy
 * it): a form POST of `To`, `From` and `Body`; any 2xx is accepted. A failure
 * names the status only: the provider's answer may echo the message (the
 * code) and the request carries the token, so neither reaches a log.
 */
export function createHttpSmsSender(options: HttpSmsOptions): SmsSender {
  return {
    kind: 'http',
    async send(sms: Sms) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          authorization: authorization(options.token),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ To: sms.to, From: options.from, Body: sms.body }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      }).catch((error: unknown) => {
        const reason = error instanceof Error ? error.name : 'error';
        throw new Error(`SMS provider unreachable (${reason})`);
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`SMS provider answered ${response.status}`);
    },
  };
}
