import { sql } from 'kysely';
import { AuthError } from '../../errors.js';
import { defineRoute } from '../route.js';

export const opsRoutes = [
  defineRoute({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    summary: 'Storage and cache reachability',
    tags: ['ops'],
    handler: async ({ core, reply }) => {
      const storage = await sql`select 1 as ok`.execute(core.store.db).then(
        () => true,
        () => false,
      );
      const cache = await core.cache.ping();
      const ok = storage && cache;
      reply.code(ok ? 200 : 503);
      return {
        status: ok ? 'ok' : 'degraded',
        storage: { kind: core.store.dialect, ok: storage },
        cache: { kind: core.cache.kind, ok: cache },
      };
    },
  }),
];

export const devRoutes = [
  defineRoute({
    method: 'GET',
    url: '/dev/outbox',
    access: 'public',
    summary: 'Mail written to the local outbox (never in production)',
    tags: ['dev'],
    handler: async ({ core }) => {
      if (!core.outbox)
        throw new AuthError('not_found', 'Mail goes over SMTP; there is no outbox.');
      await core.background.drain();
      return { messages: await core.outbox.read() };
    },
  }),
];
