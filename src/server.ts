import type { FastifyInstance } from 'fastify';
import { schedulePurge } from './authn/purge-schedule.js';
import type { Settings } from './config/schema.js';
import { type Core, type CoreOptions, createCore } from './core.js';
import { type AppOptions, buildApp } from './http/app.js';
import { logFailure } from './log-failure.js';

export interface RunningServer {
  app: FastifyInstance;
  core: Core;
  url: string;
  close(): Promise<void>;
}

/** Builds the core and the HTTP app, listens, and logs where, on what storage, and what is insecure. */
export async function startServer(
  settings: Settings,
  options: CoreOptions & AppOptions = {},
): Promise<RunningServer> {
  const core = await createCore(settings, options);
  let app: FastifyInstance;
  try {
    app = await buildApp(core, options);
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    // A server that refuses to start must not keep its database pool and cache connections open.
    await core.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const shownHost =
    settings.host === '127.0.0.1' || settings.host === '0.0.0.0' ? 'localhost' : settings.host;
  const url = `http://${shownHost}:${port}`;
  core.logger.info(
    { url, storage: core.store.description, cache: core.cache.kind, mail: core.mailer.kind },
    `Gatehouse listening on ${url}`,
  );
  for (const warning of core.warnings)
    core.logger.warn(`insecure or generated setting: ${warning}`);
  // Scheduled rotation: checked hourly; a key older than tokens.keyRotationSeconds is retired.
  const rotation = setInterval(() => {
    core.keys
      .rotateIfDue()
      .catch((error: unknown) => logFailure(core.logger, 'key rotation failed', error));
  }, 3600_000);
  rotation.unref();
  const purge = schedulePurge(core);
  return {
    app,
    core,
    url,
    async close() {
      clearInterval(rotation);
      await purge.stop();
      await app.close();
      await core.close();
    },
  };
}
