import { isAuthError } from '../../../errors.js';
import type { Shell } from '../shell.js';

/** A mailed link that no longer works: say so, and offer the way to a new one. */
export function LinkGone(props: {
  shell: Shell;
  heading: string;
  message: string;
  href: string;
  link: string;
}) {
  return (
    <section class="card narrow">
      <h1>{props.heading}</h1>
      <div class="form-error" role="alert">
        <p>{props.message}</p>
      </div>
      <p>
        <a href={props.href}>{props.link}</a>
      </p>
      <p>
        <a href="/login">{props.shell.t.common.signIn}</a>
      </p>
    </section>
  );
}

/** The answer of core to a used, expired or unknown link token. */
export const isLinkGone = (error: unknown): boolean =>
  isAuthError(error) && error.code === 'invalid_link_token';
