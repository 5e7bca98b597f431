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

/** Our API keys and JWTs, whatever the parameter is called. */
const LOOKS_LIKE_CREDENTIAL = /^(gth_|eyJ)/;

const isCredentialName = (name: string): boolean => {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A malformed name is redacted like a credential rather than guessed at.
    return true;
  }
  return CREDENTIAL_NAME.test(decoded.toLowerCase());
};

/** The URL with the values of credential-like query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? pair : pair.slice(eq + 1);
      if (LOOKS_LIKE_CREDENTIAL.test(value)) return eq < 0 ? '[redacted]' : `${name}=[redacted]`;
      return eq >= 0 && isCredentialName(name) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, mark)}?${query.join('&')}`;
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
