import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { schedulePurge } from './authn/purge-schedule.js';
import type { Settings } from './config/schema.js';
import { type Core, type CoreOptions, createCore } from './core.js';
import { type AppOptions, buildApp } from './http/app.js';
import { getSession, type SessionRequest } from './http/embed/get-session.js';
import { routeOrGiveBack } from './http/embed/pass-unmatched.js';
import { logFailure } from './log-failure.js';
import type { Principal } from './principal.js';

export interface RunningServer {
  app: FastifyInstance;
  core: Core;
  url: string;
  close(): Promise<void>;
}

/** Scheduled key rotation (checked hourly) and the purge of expired rows; stop() ends both. */
function startMaintenance(core: Core): { stop(): Promise<void> } {
  // A key older than tokens.keyRotationSeconds is retired.
  const rotation = setInterval(() => {
    core.keys
      .rotateIfDue()
      .catch((error: unknown) => logFailure(core.logger, 'key rotation failed', error));
  }, 3600_000);
  rotation.unref();
  const purge = schedulePurge(core);
  return {
    async stop() {
      clearInterval(rotation);
      await purge.stop();
    },
  };
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
  logWarnings(core);
  const maintenance = startMaintenance(core);
  return {
    app,
    core,
    url,
    async close() {
      await maintenance.stop();
      await app.close();
      await core.close();
    },
  };
}

function logWarnings(core: Core): void {
  for (const warning of core.warnings)
    core.logger.warn(`insecure or generated setting: ${warning}`);
}

/** Gatehouse inside an app's own server: see toNodeHandler, toFetchHandler and the README. */
export interface Gatehouse {
  core: Core;
  /** The Fastify app, ready and not listening: the handlers route requests into it. */
  app: FastifyInstance;
  /**
   * Answers a Node request that is Gatehouse's and resolves true; resolves false, with
   * nothing written and the body unread, for one it has no route for.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The caller of the app's own route, checked in-process (see http/embed/get-session.ts). */
  getSession(request: SessionRequest): Promise<Principal | null>;
  /** Stops the scheduled work, then the app, then the database and cache connections. */
  close(): Promise<void>;
}

/** Builds the core and the HTTP app, ready to be mounted in an app's own server (no port of its own). */
export async function createGatehouse(
  settings: Settings,
  options: CoreOptions & AppOptions = {},
): Promise<Gatehouse> {
  const core = await createCore(settings, options);
  let app: FastifyInstance;
  try {
    app = await buildApp(core, options);
    await app.ready();
  } catch (error) {
    await core.close();
    throw error;
  }
  core.logger.info(
    { storage: core.store.description, cache: core.cache.kind, mail: core.mailer.kind },
    'Gatehouse ready to be mounted',
  );
  logWarnings(core);
  const maintenance = startMaintenance(core);
  return {
    core,
    app,
    handle: (req, res) => routeOrGiveBack(app, req, res),
    getSession: (request) => getSession(core, request),
    async close() {
      await maintenance.stop();
      await app.close();
      await core.close();
    },
  };
}
