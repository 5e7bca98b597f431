import { explainStartupFailure } from '../config/unreachable.js';
import { openStore } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

export async function runMigrate(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: commonOptions, strict: true });
  const settings = settingsFrom(values);
  const store = openStore(settings);
  try {
    const applied = await migrateToLatest(store);
    process.stdout.write(
      `${store.description}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`,
    );
    return 0;
  } catch (error) {
    throw explainStartupFailure(error, settings);
  } finally {
    await store.close();
  }
}
