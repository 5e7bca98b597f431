import { LOOPBACK } from './redirect-uris.js';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * How the provider calls apps (back-channel logout). oidc-provider hands
 * every call a dispatcher that refuses private and loopback addresses (SSRF).
 * For a development issuer (plain http, not production) an app on this
 * machine (a client may register plain http to localhost only) is called
 * too, so back-channel logout works in development; every other address
 * keeps the protection, and an https or production issuer changes nothing.
 */
export function outboundFetch(allowLoopback: boolean): Fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (!allowLoopback || !LOOPBACK.has(url.hostname)) return fetch(input, init);
    const unguarded: RequestInit & { dispatcher?: unknown } = { ...init, dispatcher: undefined };
    return fetch(input, unguarded);
  };
}
