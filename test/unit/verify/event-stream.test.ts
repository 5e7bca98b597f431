import { describe, expect, it } from 'vitest';
import {
  createEventStreamParser,
  type ServerSentEvent,
} from '../../../packages/verify/src/event-stream.js';

const parse = (chunks: string[], initialId = '') => {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const parser = createEventStreamParser(
    { event: (event) => events.push(event), retry: (ms) => retries.push(ms) },
    initialId,
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries, lastEventId: parser.lastEventId };
};

describe('the text/event-stream parser (WHATWG HTML §9.2.6)', () => {
  it('dispatches on a blank line, with the type, the data and the id', () => {
    const { events } = parse(['id: 7\nevent: ready\ndata: {"seq":7}\n\n']);
    expect(events).toEqual([{ type: 'ready', data: '{"seq":7}', lastEventId: '7' }]);
  });

  it('joins data lines, and keeps the last id for events without one', () => {
    const { events } = parse(['id: 3\ndata: a\ndata: b\n\ndata: c\n\n']);
    expect(events).toEqual([
      { type: 'message', data: 'a\nb', lastEventId: '3' },
      { type: 'message', data: 'c', lastEventId: '3' },
    ]);
  });

  it('handles CR, LF and CRLF, split anywhere across chunks', () => {
    const text = 'data: one\r\n\r\ndata: two\r\rdata: three\n\n';
    const whole = parse([text]).events;
    for (let at = 1; at < text.length; at++) {
      expect(parse([text.slice(0, at), text.slice(at)]).events, `split at ${at}`).toEqual(whole);
    }
    expect(whole.map((event) => event.data)).toEqual(['one', 'two', 'three']);
  });

  it('ignores comments (heartbeats), unknown fields and a leading BOM; reads retry', () => {
    const { events, retries } = parse(['\uFEFF: heartbeat\n\nretry: 1500\nfoo: x\ndata:y\n\n']);
    expect(events).toEqual([{ type: 'message', data: 'y', lastEventId: '' }]);
    expect(retries).toEqual([1500]);
  });

  it('updates the last id from a block without data, and ignores ids with NUL', () => {
    expect(parse(['id: 9\n\n'], '4').lastEventId).toBe('9');
    expect(parse(['id: 1\0\ndata: x\n\n'], '4').events[0]?.lastEventId).toBe('4');
  });

  it('throws on a line or an event past 1 MiB instead of growing without bound', () => {
    const parser = createEventStreamParser({ event: () => {} });
    expect(() => parser.push('data: '.padEnd(1024 * 1024 + 10, 'x'))).toThrow(RangeError);
  });
});
