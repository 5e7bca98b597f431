import { PassThrough } from 'node:stream';
import { z } from 'zod';
import {
  openRevocationStream,
  type RevocationStream,
  type StreamEvent,
} from '../../authn/tokens/revocation-stream.js';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import { defineRoute } from '../route.js';

/** The permission a resource server's service account needs (role `resource_server` in the built-in policy). */
export const REVOCATIONS_PERMISSION = 'revocations:read';
/** How long a client waits before reconnecting (the SSE `retry` hint); it backs off from there. */
const RETRY_MS = 1000;
/** A subscriber that leaves this much unread is too slow: it is cut off and resumes on reconnect. */
const MAX_UNREAD_BYTES = 1024 * 1024;
/**
 * A stream ends after this long and its client reconnects (resuming where it was), so the
 * credential is checked again: a revoked API key or a changed service password stops reading
 * within this bound (a ban, role change or revoked session ends it at once).
 */
const MAX_STREAM_MS = 5 * 60_000;

const positionPattern = /^\d{1,15}$/;
const query = z.strictObject({ after: z.string().regex(positionPattern).optional() });

/** Streams still open, so a shutdown can end them instead of waiting for their clients. */
const openStreams = new WeakMap<Core, Set<() => void>>();

/** Ends every revocation stream of this server; their clients reconnect to another instance or later. */
export function endRevocationStreams(core: Core): void {
  for (const end of openStreams.get(core) ?? []) end();
}

/** `Last-Event-ID` (what EventSource sends on reconnect) wins over `?after=`. */
function resumePoint(header: string | string[] | undefined, after: string | undefined) {
  const value = typeof header === 'string' && header.trim() !== '' ? header.trim() : after;
  if (value === undefined) return undefined;
  if (!positionPattern.test(value)) {
    throw new AuthError('invalid_request', 'Last-Event-ID must be an id this stream sent.');
  }
  return Number(value);
}

/** One SSE block (WHATWG HTML §9.2); the data is one line of JSON, so it needs no splitting. */
function format(event: StreamEvent): string {
  switch (event.kind) {
    case 'revocation':
      return `id: ${event.position}\ndata: ${JSON.stringify(event.message)}\n\n`;
    case 'reset':
      return `event: reset\ndata: ${JSON.stringify({ reason: event.reason, newestSeq: event.newestSeq })}\n\n`;
    case 'ready':
      return `id: ${event.position}\nevent: ready\ndata: ${JSON.stringify({ seq: event.position })}\n\n`;
  }
}

export const revocationRoutes = [
  defineRoute({
    method: 'GET',
    url: '/auth/revocations',
    access: { permission: REVOCATIONS_PERMISSION },
    summary:
      'Server-Sent Events: every revocation in force, then live ones; resume with Last-Event-ID',
    tags: ['tokens'],
    query,
    handler: async ({ core, principal, query, request, reply }) => {
      const after = resumePoint(request.headers['last-event-id'], query.after);
      const body = new PassThrough();
      let heartbeat: NodeJS.Timeout | undefined;
      const lifetime = setTimeout(() => end(), MAX_STREAM_MS);
      lifetime.unref();
      let stream: RevocationStream | undefined;
      let ended = false;
      // The backlog is buffered whole before the answer starts; only a live subscriber can lag.
      let flowing = false;
      const streams = openStreams.get(core) ?? new Set<() => void>();
      openStreams.set(core, streams);
      const end = () => {
        ended = true;
        streams.delete(end);
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        stream?.close();
        if (!body.writableEnded) body.end();
      };
      const write = (text: string) => {
        if (body.writableEnded) return;
        body.write(text);
        if (flowing && body.writableLength + reply.raw.writableLength > MAX_UNREAD_BYTES) {
          core.logger.warn({ userId: principal.userId }, 'revocation subscriber too slow: cut off');
          end();
        }
      };
      // A client gone (or a shutdown) while the backlog is read must not leave a listener behind.
      reply.raw.once('close', end);
      streams.add(end);
      write(`: gatehouse revocations\nretry: ${RETRY_MS}\n\n`);
      try {
        // Opened before the answer starts: a database that is down is a 503, not a broken stream.
        stream = await openRevocationStream(core, {
          after,
          subscriberId: principal.userId,
          subscriberSessionId: principal.sessionId,
          send: (event) => write(format(event)),
          end,
        });
      } catch (error) {
        end();
        throw error;
      }
      if (ended) stream.close();
      else {
        heartbeat = setInterval(
          () => write(': heartbeat\n\n'),
          core.settings.revocation.streamHeartbeatSeconds * 1000,
        );
        heartbeat.unref();
      }
      reply
        .code(200)
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('x-accel-buffering', 'no');
      flowing = true;
      return reply.send(body);
    },
  }),
];
