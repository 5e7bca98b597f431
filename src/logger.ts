import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

/** Every path that could carry a secret is censored before a line is written. */
export const redactedPaths = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'refreshToken',
  'accessToken',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

/**
 * Query parameters that look like a credential (`api_key`, `access_token`,
 * `code`, `password`, ...). We never read credentials from the query, but
 * clients put them there anyway, and the URL is logged.
 */
const CREDENTIAL_NAME = /token|key|secret|pass(word|wd)?|pwd|code|auth|session|credential|sig/;

/** Our API keys and JWTs, and an Authorization header's value, whatever the parameter is called. */
const LOOKS_LIKE_CREDENTIAL = /^\s*(gth_|eyJ|(bearer|basic)\s)/i;

/** The decoded text, as the server would read it; null when the encoding is malformed. */
const decodedPart = (part: string): string | null => {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return null;
  }
};

// A malformed name or value is redacted like a credential rather than guessed at:
// `%67th_…` is `gth_…` to whoever reads the log.
const isCredentialName = (name: string): boolean => {
  const decoded = decodedPart(name);
  return decoded === null || CREDENTIAL_NAME.test(decoded.toLowerCase());
};

const isCredentialValue = (value: string): boolean => {
  const decoded = decodedPart(value);
  return decoded === null || LOOKS_LIKE_CREDENTIAL.test(decoded);
};

/** A path segment that is a key or a token (pasted into an id's place) becomes `[redacted]`. */
const redactPath = (path: string): string =>
  path
    .split('/')
    .map((segment) => {
      const decoded = decodedPart(segment);
      return decoded !== null && LOOKS_LIKE_CREDENTIAL.test(decoded) ? '[redacted]' : segment;
    })
    .join('/');

/**
 * The URL with credential-looking path segments and the values of
 * credential-like query parameters replaced by `[redacted]`.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return redactPath(url);
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? pair : pair.slice(eq + 1);
      if (isCredentialValue(value)) return eq < 0 ? '[redacted]' : `${name}=[redacted]`;
      return eq >= 0 && isCredentialName(name) ? `${name}=[redacted]` : pair;
    });
  return `${redactPath(url.slice(0, mark))}?${query.join('&')}`;
}

/** What Fastify's request serializer reads; structural, so nothing here imports Fastify. */
interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Fastify's request fields, with the URL's credentials redacted. */
const serializeRequest = (req: LoggedRequest) => ({
  method: req.method,
  url: redactUrl(req.url),
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

export type Logger = PinoLogger;

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { req: serializeRequest },
  };
  return destination ? pino(options, destination) : pino(options);
}
