import type Provider from 'oidc-provider';

/** oidc-provider's description of a grant type the client is not registered for (lib/actions/token.js). */
const GRANT_NOT_ALLOWED = 'requested grant type is not allowed for this client';

/**
 * RFC 6749 §5.2: an authenticated client using a grant type it is not
 * registered for is `unauthorized_client`; oidc-provider answers
 * `invalid_request`. The status (400) is the same for both.
 */
export function answerUnauthorizedClient(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token') return;
    const body: unknown = ctx.body;
    if (typeof body !== 'object' || body === null) return;
    const { error, error_description: description } = body as Record<string, unknown>;
    if (error === 'invalid_request' && description === GRANT_NOT_ALLOWED)
      ctx.body = { error: 'unauthorized_client', error_description: description };
  });
}
