import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';

/**
 * One headless Chromium for the whole browser project (Debian's, never a
 * downloaded one): tests connect to it over its WebSocket and open their own
 * contexts, so they stay apart without a browser each.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await chromium.launchServer({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  project.provide('chromiumWsEndpoint', server.wsEndpoint());
  return async () => {
    await server.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumWsEndpoint: string;
  }
}
