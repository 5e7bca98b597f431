import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './server.js';

/** A test server deciding with the policy given as YAML; its file goes with the server. */
export async function startServerWithPolicy(policyYaml: string): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, policyYaml);
  const server = await startTestServer({ settings: { policyFile } });
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
