/**
 * `npm run demo`: Gatehouse with the demo app under /demo, the demo policy
 * (examples/policy.yaml unless GATEHOUSE_POLICY says otherwise) and the seed
 * users. Honours PORT, --port, --data-dir and GATEHOUSE_DATA_DIR.
 */
import { commonOptions, parseArgs, settingsFrom } from '../../src/cli/settings-flags.js';
import { isAuthError } from '../../src/errors.js';
import { startServer } from '../../src/server.js';
import { demoPolicyFile } from './policy-file.js';
import { demoRoutes } from './routes.js';
import { DEFAULT_DEMO_PASSWORD, demoEmail, seedDemo } from './seed.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { ...commonOptions, port: { type: 'string' } },
    strict: true,
  });
  const loaded = settingsFrom(values);
  const settings = { ...loaded, policyFile: loaded.policyFile ?? demoPolicyFile };
  const password = process.env.DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD;
  const server = await startServer(settings, { routes: demoRoutes });
  const seeded = await seedDemo(server.core, password);
  const users = (['alice', 'bob', 'carol', 'david'] as const).map(demoEmail).join(', ');
  process.stdout.write(
    [
      '',
      `Gatehouse demo on ${server.url}/demo (policy ${settings.policyFile})`,
      seeded
        ? `seeded ${users} with password "${password}"`
        : `already seeded: ${users} (password from the first start; default "${DEFAULT_DEMO_PASSWORD}")`,
      `sign in with POST ${server.url}/auth/login {email, password}; try GET /demo/posts, /demo/docs, /demo/orders`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `gatehouse demo: ${isAuthError(error) ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
