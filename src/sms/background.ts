import type { BackgroundTasks } from '../background.js';
import type { Sms, SmsSender } from './sender.js';

/**
 * Hands a message to the provider without making the request wait for it: a
 * slow provider must not hold sign-ins. A failed delivery is logged by the
 * task runner under a label that names neither the number nor the text.
 */
export function deliverSmsInBackground(inner: SmsSender, tasks: BackgroundTasks): SmsSender {
  return {
    kind: inner.kind,
    async send(sms: Sms) {
      tasks.run('sms', () => inner.send(sms));
    },
  };
}
