import type { FastifyReply } from 'fastify';
import { type PageResult, view } from '../page.js';
import type { Shell } from '../shell.js';

/**
 * An identity provider's answer arrives on a navigation another site began
 * (its form post, or a redirect after the person clicked on its page), and
 * the browser keeps SameSite=Strict cookies off every redirect of such a
 * navigation: a redirect to the second step would arrive without the
 * challenge cookie. So the step to /login/mfa starts from a page of ours
 * (Refresh, and a link for when it is not followed), which is same-site.
 */
export function handOverToSecondStep(
  shell: Shell,
  reply: FastifyReply,
  result: PageResult,
): PageResult {
  if (result.kind !== 'redirect' || !result.to.startsWith('/login/mfa')) return result;
  reply.header('refresh', `0;url=${result.to}`);
  const t = shell.t.upstream;
  return view(
    t.continueTitle,
    <section class="card narrow">
      <h1>{t.continueTitle}</h1>
      <p>{t.continueText}</p>
      <p>
        <a class="button" href={result.to}>
          {t.continue}
        </a>
      </p>
    </section>,
  );
}
