import type { FastifyReply, FastifyRequest } from 'fastify';
import { currentUser } from '../../authn/current-user.js';
import { decidePermission } from '../../authz/permission-check.js';
import type { Core } from '../../core.js';
import type { Principal } from '../../principal.js';
import { decisionContext } from '../access.js';
import { requestMeta } from '../request-meta.js';
import type { PageAssets } from './assets.js';
import { formToken } from './form-csrf.js';
import type { Shell } from './shell.js';
import { strings } from './strings/index.js';

/** The permission that shows the Admin link; the admin pages decide their own access. */
const ADMIN_PERMISSION = 'users:manage';

export async function buildShell(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal | null,
  assets: PageAssets,
): Promise<Shell> {
  const query = request.query as Record<string, unknown> | undefined;
  const noticeKey = typeof query?.notice === 'string' ? query.notice : undefined;
  const user = principal ? await currentUser(core, principal) : null;
  const isAdmin =
    !!principal &&
    decidePermission(
      core.policy,
      principal,
      ADMIN_PERMISSION,
      decisionContext(core, requestMeta(request)),
    ).allowed;
  return {
    t: strings,
    nonce: reply.cspNonce?.script ?? '',
    csrfToken: formToken(core, request, reply, principal),
    user: user ? { email: user.email, isAdmin } : null,
    branding: core.settings.branding,
    assets,
    providerEnabled: core.settings.provider.enabled,
    path: request.url.split('?')[0] ?? '/',
    notice:
      noticeKey && Object.hasOwn(strings.notices, noticeKey)
        ? strings.notices[noticeKey]
        : undefined,
  };
}
