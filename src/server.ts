import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { schedulePurge } from './authn/purge-schedule.js';
import type { Settings } from './config/schema.js';
import { type Core, type CoreOptions, createCore } from './core.js';
import { type AppOptions, buildApp } from './http/app.js';
import { getSession, type SessionRequest } from './http/embed/get-session.js';
import { routeOrGiveBack } from './http/embed/pass-unmatched.js';
import { type MetricsServer, startMetricsServer } from './http/metrics-server.js';
import { endRevocationStreams } from './http/routes/revocations.js';
import { checkMetricsListener } from './http/start-up-checks.js';
import { logFailure } from './log-failure.js';
import type { Principal } from './principal.js';

export interface RunningServer {
  app: FastifyInstance;
  core: Core;
  url: string;
  /** The base URL of the metrics port, when `metrics.port` is set. */
  metricsUrl?: string;
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
  checkMetricsListener(settings);
  const core = await createCore(settings, options);
  let app: FastifyInstance;
  let metricsServer: MetricsServer | undefined;
  try {
    app = await buildApp(core, options);
    await app.listen({ host: settings.host, port: settings.port });
    metricsServer = await startMetricsServer(core).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  } catch (error) {
    // A server that refuses to start must not keep its database pool and cache connections open.
    await core.close();
    throw error;
  }
  const unused = connectionsNeverUsed(app);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const shownHost =
    settings.host === '127.0.0.1' || settings.host === '0.0.0.0' ? 'localhost' : settings.host;
  const url = `http://${shownHost}:${port}`;
  core.logger.info(
    { url, storage: core.store.description, cache: core.cache.kind, mail: core.mailer.kind },
    `Gatehouse listening on ${url}`,
  );
  core.logger.info(resourceServerSettings(core, url), resourceServerLine(core, url));
  logWarnings(core);
  const maintenance = startMaintenance(core);
  return {
    app,
    core,
    url,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    async close() {
      await maintenance.stop();
      // Open streams would hold the listener open; their clients reconnect and resume.
      endRevocationStreams(core);
      const closed = app.close();
      unused.destroy();
      await closed;
      await metricsServer?.close();
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
      endRevocationStreams(core);
      await app.close();
      await core.close();
    },
  };
}

/** What a resource server configures to trust this server's access tokens. */
function resourceServerSettings(core: Core, listeningUrl: string) {
  const base = core.settings.publicUrl?.replace(/\/$/, '') ?? listeningUrl;
  return {
    issuer: core.issuer,
    audience: core.settings.tokens.audience,
    jwksUrl: `${base}/.well-known/jwks.json`,
    revocationsUrl: `${base}/auth/revocations`,
  };
}

/** One line an operator copies into a resource server's environment (the README's quick start reads it). */
function resourceServerLine(core: Core, listeningUrl: string): string {
  const { issuer, audience, jwksUrl, revocationsUrl } = resourceServerSettings(core, listeningUrl);
  return `resource servers: GATEHOUSE_ISSUER=${issuer} GATEHOUSE_AUDIENCE=${audience} GATEHOUSE_JWKS_URL=${jwksUrl} GATEHOUSE_REVOCATIONS_URL=${revocationsUrl}`;
}

/**
 * Connections that never sent a byte. Node's close() leaves them until the
 * headers timeout (a minute) because they count as awaiting a request; a
 * fetch client opens one after aborting a stream (undici), so a shutdown
 * right after a resource server went away would wait that long.
 */
function connectionsNeverUsed(app: FastifyInstance) {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    destroy() {
      for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    },
  };
}
