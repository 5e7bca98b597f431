import { randomBytes } from 'node:crypto';
import type { TestServer } from './server.js';

/** A metrics token for a test server's settings (`metrics.token`). */
export const newMetricsToken = () => randomBytes(24).toString('hex');

/** GET /metrics with the token, as Prometheus would scrape it; throws unless it is a 200. */
export async function scrape(base: string, token?: string): Promise<string> {
  const response = await fetch(`${base}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`scrape: ${response.status} ${text}`);
  return text;
}

/**
 * The value of one sample in Prometheus's text format: `name` with exactly
 * these labels (in any order); 0 when the series is not there yet.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (found === wanted) return Number(match[3]);
  }
  return 0;
}

/** Scrapes `server` (main port, with its token) and reads one sample. */
export const metricOf = async (
  server: TestServer,
  token: string,
  name: string,
  labels: Record<string, string> = {},
) => sample(await scrape(server.url, token), name, labels);
