import { demoPolicyFile } from '../../examples/demo/policy-file.js';
import { demoRoutes } from '../../examples/demo/routes.js';
import {
  DEFAULT_DEMO_PASSWORD,
  type DemoSeed,
  type DemoUser,
  demoEmail,
  seedDemo,
} from '../../examples/demo/seed.js';
import { Client } from './client.js';
import { startTestServer, type TestServer } from './server.js';

export interface DemoServer {
  server: TestServer;
  seed: DemoSeed;
  /** A fresh signed-in client for a seeded user. */
  login(user: DemoUser): Promise<Client>;
}

/** A test server running the demo: its policy, its routes under /demo, and the seed. */
export async function startDemoServer(): Promise<DemoServer> {
  const server = await startTestServer({
    settings: { policyFile: demoPolicyFile },
    routes: demoRoutes,
  });
  const seed = await seedDemo(server.core, DEFAULT_DEMO_PASSWORD);
  if (seed === null) throw new Error('fresh demo server was already seeded');
  return {
    server,
    seed,
    async login(user) {
      const client = new Client(server.url);
      const response = await client.post<{ csrfToken: string }>('/auth/login', {
        email: demoEmail(user),
        password: DEFAULT_DEMO_PASSWORD,
      });
      if (response.status !== 200)
        throw new Error(`login ${user}: ${response.status} ${response.text}`);
      client.csrfToken = response.body.csrfToken;
      return client;
    },
  };
}
