/** Bundles browser/*.ts into dist/browser and returns the manifest (entry name → hashed file name). */
export function buildBrowserScripts(options?: { clean?: boolean }): Promise<Record<string, string>>;
