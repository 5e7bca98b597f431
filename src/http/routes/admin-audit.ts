import { Readable } from 'node:stream';
import { z } from 'zod';
import { auditEventPages, listAuditEvents } from '../../authn/admin.js';
import type { StoredAuditEvent } from '../../store/repositories/audit-events.js';
import { csvRow } from '../csv.js';
import { cursorParam, limitParam, nextCursor } from '../cursor.js';
import { instantMs } from '../instant.js';
import { defineRoute } from '../route.js';
import { nameSchema } from '../schemas.js';

const tags = ['admin'];
const read = { permission: 'audit:read' } as const;

const instant = z.iso.datetime({ offset: true, local: true }).transform(instantMs);

const filterFields = {
  userId: nameSchema(64).optional(),
  type: nameSchema(64).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: instant.optional().describe('Events at or after this instant'),
  to: instant.optional().describe('Events before this instant'),
};

const orderedRange = <T extends { from?: number | undefined; to?: number | undefined }>(
  query: T,
  ctx: z.RefinementCtx,
) => {
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
};

const eventView = (e: StoredAuditEvent) => ({ ...e, at: new Date(e.at).toISOString() });

const CSV_COLUMNS = ['id', 'at', 'type', 'outcome', 'userId', 'ip', 'userAgent', 'detail'];

const csvOf = (e: StoredAuditEvent) =>
  csvRow([
    e.id,
    new Date(e.at).toISOString(),
    e.type,
    e.outcome,
    e.userId,
    e.ip,
    e.userAgent,
    JSON.stringify(e.detail ?? {}),
  ]);

export const adminAuditRoutes = [
  defineRoute({
    method: 'GET',
    url: '/admin/audit',
    access: read,
    summary:
      'Audit events, newest first, filtered by user, type, outcome and time; `next` is the cursor for `before=`',
    tags,
    query: z
      .strictObject({
        limit: limitParam(500, 100),
        ...filterFields,
        before: cursorParam('numeric').optional(),
      })
      .superRefine(orderedRange),
    handler: async ({ core, query }) => {
      const { limit, before, ...filter } = query;
      const page = await listAuditEvents(core, filter, { limit, from: before });
      return { events: page.items.map(eventView), next: nextCursor(page) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/audit.csv',
    access: read,
    summary:
      'Every audit event the filters match, newest first, as CSV (RFC 4180, formula cells guarded); streamed, not capped',
    tags,
    query: z.strictObject(filterFields).superRefine(orderedRange),
    handler: async ({ core, query, reply }) => {
      const pages = auditEventPages(core, query);
      // The first page is read before answering, so a store outage is a 503, not a cut-off file.
      const first = await pages.next();
      async function* lines() {
        yield csvRow(CSV_COLUMNS);
        if (first.done) return;
        yield first.value.map(csvOf).join('');
        for await (const page of pages) yield page.map(csvOf).join('');
      }
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"');
      return Readable.from(lines());
    },
  }),
];
