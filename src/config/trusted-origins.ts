import { z } from 'zod';

/**
 * What a browser sends in `Origin`: `scheme://host[:port]`, exactly (lower-case host,
 * no default port, no path, no trailing slash). A spelling the browser would never
 * send could never match, so it is refused at start-up with the spelling that would.
 * Wildcards are refused: a pattern is how `https://trusted.example.evil` gets in.
 */
const webOrigin = z.string().transform((value, ctx) => {
  const text = value.trim();
  const url = URL.canParse(text) ? new URL(text) : null;
  const problem = text.includes('*')
    ? 'no wildcards: list each origin'
    : !url || (url.protocol !== 'https:' && url.protocol !== 'http:')
      ? 'an http(s) origin'
      : url.origin !== text
        ? `the exact origin (${url.origin}), with no path or trailing slash`
        : null;
  if (problem === null) return text;
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: ${problem}` });
  return z.NEVER;
});

/** A list in JSON, or comma-separated text (`GATEHOUSE_TRUSTED_ORIGINS`). */
export const trustedOriginsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry !== '')
      : value,
  z.array(webOrigin).max(100),
);
