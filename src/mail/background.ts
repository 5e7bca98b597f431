import type { BackgroundTasks } from '../background.js';
import type { Mail, Mailer } from './mailer.js';

/**
 * Hands mail to the transport without making the request wait for it. Waiting
 * would leak, through response time, whether an email has an account (forgot
 * password mails only existing ones), and ties a request to an SMTP server's
 * mood. A failed delivery is logged by the task runner with the recipient's
 * domain and the subject only.
 */
export function deliverInBackground(inner: Mailer, tasks: BackgroundTasks): Mailer {
  return {
    kind: inner.kind,
    async send(mail: Mail) {
      const domain = mail.to.split('@')[1] ?? 'unknown';
      tasks.run(`mail to ${domain}: ${mail.subject}`, () => inner.send(mail));
    },
  };
}
