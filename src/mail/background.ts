import type { Logger } from '../logger.js';
import type { Mail, Mailer } from './mailer.js';

export interface BackgroundMailer extends Mailer {
  /** Resolves once every mail handed over so far has been delivered or has failed. */
  drain(): Promise<void>;
}

/**
 * Hands mail to the transport without making the request wait for it. Waiting
 * would leak, through response time, whether an email has an account (forgot
 * password mails only existing ones), and ties a request to an SMTP server's
 * mood. A failed delivery is logged (recipient domain and subject only).
 */
export function deliverInBackground(inner: Mailer, logger: Logger): BackgroundMailer {
  const pending = new Set<Promise<void>>();
  return {
    kind: inner.kind,
    async send(mail: Mail) {
      const delivery = inner
        .send(mail)
        .catch((error: unknown) => {
          const domain = mail.to.split('@')[1] ?? 'unknown';
          logger.error({ err: error, domain, subject: mail.subject }, 'mail delivery failed');
        })
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    async drain() {
      await Promise.all([...pending]);
    },
  };
}
