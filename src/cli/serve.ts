import { startServer } from '../server.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...commonOptions, port: { type: 'string' } },
    strict: true,
  });
  const server = await startServer(settingsFrom(values));
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
