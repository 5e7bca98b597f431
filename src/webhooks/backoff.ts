export interface RetrySettings {
  initialRetrySeconds: number;
  maxRetrySeconds: number;
}

/**
 * The wait after failed attempt `attempt` (from 1): exponential, capped, and
 * "equal jitter" (half fixed, half random), so receivers coming back from an
 * outage are not hit by every instance's retries at the same instant, and a
 * retry never comes sooner than half the schedule.
 */
export function retryDelayMs(
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number {
  const exponential = settings.initialRetrySeconds * 2 ** Math.max(0, attempt - 1);
  const capMs = Math.min(exponential, settings.maxRetrySeconds) * 1000;
  return Math.round(capMs / 2 + random() * (capMs / 2));
}
