// Servers under test serve the pages' browser bundle; build it once per run, as `npm run build` does.
import { buildBrowserScripts } from '../scripts/build-browser.mjs';

export default async function setup(): Promise<void> {
  await buildBrowserScripts();
}
