/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  /** `message` when the block names none. */
  readonly type: string;
  readonly data: string;
  /** The stream's last event id after this event (ids carry over to later events). */
  readonly lastEventId: string;
}

export interface EventStreamParser {
  /** Feeds decoded text; complete events are dispatched as they end. */
  push(text: string): void;
  readonly lastEventId: string;
}

/** Longer than any event Gatehouse sends; a stream that goes beyond it is broken or hostile. */
const MAX_BUFFERED_CHARACTERS = 1024 * 1024;

export interface EventStreamHandlers {
  event(event: ServerSentEvent): void;
  /** A `retry:` field: the server's reconnection delay in milliseconds. */
  retry?(milliseconds: number): void;
}

/**
 * The `text/event-stream` interpretation of WHATWG HTML §9.2.6, which is what
 * EventSource does: lines end in CR, LF or CRLF (possibly split across
 * chunks), `:` starts a comment (heartbeats), a blank line dispatches. Written
 * here because this package depends on jose alone. `push` throws a
 * RangeError when a line or an event grows past 1 MiB.
 */
export function createEventStreamParser(
  handlers: EventStreamHandlers,
  initialLastEventId = '',
): EventStreamParser {
  let pending = '';
  let started = false;
  let skipLineFeed = false;
  let data = '';
  let type = '';
  let idBuffer = initialLastEventId;
  let lastEventId = initialLastEventId;

  const dispatch = () => {
    lastEventId = idBuffer;
    if (data === '') {
      type = '';
      return;
    }
    const event = { type: type || 'message', data: data.slice(0, -1), lastEventId };
    data = '';
    type = '';
    handlers.event(event);
  };

  const field = (line: string) => {
    if (line === '') return dispatch();
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') data += `${value}\n`;
    if (data.length > MAX_BUFFERED_CHARACTERS) throw new RangeError('event too long');
    else if (name === 'event') type = value;
    else if (name === 'id' && !value.includes('\0')) idBuffer = value;
    else if (name === 'retry' && /^\d+$/.test(value)) handlers.retry?.(Number(value));
  };

  return {
    push(text) {
      let chunk = text;
      if (!started && chunk !== '') {
        started = true;
        if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
      }
      if (skipLineFeed && chunk.startsWith('\n')) chunk = chunk.slice(1);
      skipLineFeed = false;
      pending += chunk;
      for (let end = pending.search(/[\r\n]/); end >= 0; end = pending.search(/[\r\n]/)) {
        const line = pending.slice(0, end);
        const crlf = pending[end] === '\r' && pending[end + 1] === '\n';
        if (pending[end] === '\r' && end + 1 === pending.length) skipLineFeed = true;
        pending = pending.slice(end + (crlf ? 2 : 1));
        field(line);
      }
      if (pending.length > MAX_BUFFERED_CHARACTERS) throw new RangeError('line too long');
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
