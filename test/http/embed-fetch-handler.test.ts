import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFetchHandler } from '../../src/http/embed/fetch-handler.js';
import { type EmbeddedGatehouse, embeddedGatehouse } from '../helpers/embedded.js';
import { resourceServerAccount } from '../helpers/revocation-stream.js';

let gatehouse: EmbeddedGatehouse;
beforeAll(async () => {
  gatehouse = await embeddedGatehouse({ settings: { publicUrl: 'http://app.test' } });
});
afterAll(async () => {
  await gatehouse?.stop();
});

describe('toFetchHandler', () => {
  it('answers the revocation stream with 501 naming the Node handler, instead of buffering it forever', async () => {
    // A real subscriber's credential: the refusal is about the handler, not about who asks.
    const account = await resourceServerAccount(gatehouse);
    const handle = toFetchHandler(gatehouse);
    const answer = await handle(
      new Request('http://app.test/auth/revocations', {
        headers: { authorization: account.authorization, accept: 'text/event-stream' },
      }),
    );
    expect(answer.status).toBe(501);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(((await answer.json()) as { detail: string }).detail).toContain('toNodeHandler');
    expect(gatehouse.core.revocations.listeners).toBe(0);
  });

  it('still answers the rest of the API', async () => {
    const answer = await toFetchHandler(gatehouse)(new Request('http://app.test/healthz'));
    expect(answer.status).toBe(200);
  });
});
