/**
 * Two instances on one database: a share made through one applies on the next
 * request to the other; a role change within the session cache's second (at once
 * where Redis carries the feed; on SQLite the other instance has no feed, and its
 * cached session expires after 1 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicyFile } from '../../examples/demo/policy-file.js';
import { demoRoutes } from '../../examples/demo/routes.js';
import { DEFAULT_DEMO_PASSWORD } from '../../examples/demo/seed.js';
import { Client } from '../helpers/client.js';
import { type DemoServer, startDemoServer } from '../helpers/demo.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { within } from '../helpers/tokens.js';

let demo: DemoServer;
let other: TestServer;
beforeAll(async () => {
  demo = await startDemoServer();
  other = await startTestServer({
    shareWith: demo.server,
    settings: { policyFile: demoPolicyFile },
    routes: demoRoutes,
  });
});
afterAll(async () => {
  await other.stop();
  await demo.server.stop();
});

async function loginOnOther(email: string): Promise<Client> {
  const client = new Client(other.url);
  const response = await client.post<{ csrfToken: string }>('/auth/login', {
    email,
    password: DEFAULT_DEMO_PASSWORD,
  });
  if (response.status !== 200) throw new Error(`login: ${response.status}`);
  client.csrfToken = response.body.csrfToken;
  return client;
}

describe('runtime changes across instances', () => {
  it('applies a share made on one instance on the next request to the other', async () => {
    const q3 = demo.seed.docs.q3Report;
    const carolThere = await loginOnOther('carol@example.com');
    expect((await carolThere.get(`/demo/docs/${q3}`)).status).toBe(404);
    const david = await demo.login('david');
    const shared = await david.post(`/demo/docs/${q3}/share`, {
      email: 'carol@example.com',
      permissions: ['read'],
    });
    expect(shared.status).toBe(202);
    expect((await carolThere.get(`/demo/docs/${q3}`)).status).toBe(200);
  });

  it('applies a role change made on one instance to the other within the session cache bound', async () => {
    const carolThere = await loginOnOther('carol@example.com');
    const post = demo.seed.posts.sports;
    const edit = () => carolThere.request('PATCH', `/demo/posts/${post}`, { json: { title: 'C' } });
    expect((await edit()).status).toBe(403);
    const alice = await demo.login('alice');
    const roles = await alice.put(`/admin/users/${demo.seed.users.carol}/roles`, {
      roles: ['editor'],
    });
    expect(roles.status).toBe(200);
    // 1 s is the product's bound; the slack is for a loaded machine.
    expect(await within(2500, async () => (await edit()).status === 200)).toBe(true);
  });
});
