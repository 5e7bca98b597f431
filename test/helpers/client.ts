export interface Response<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

interface RequestOptions {
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Leave out the X-CSRF-Token this client would otherwise send. */
  withoutCsrf?: boolean;
  /** Answer a redirect as it is (status and Location) instead of following it, as page tests need. */
  manualRedirect?: boolean;
}

/** An HTTP client with a cookie jar, as a browser-less user agent would have. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  private storeCookies(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some(
        (a) =>
          /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<Response<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0 && !('cookie' in headers)) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (method !== 'GET' && this.csrfToken && !options.withoutCsrf)
      headers['x-csrf-token'] ??= this.csrfToken;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body,
      redirect: options.manualRedirect ? 'manual' : 'follow',
    });
    this.storeCookies(response.headers);
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = Record<string, unknown>>(path: string, options?: RequestOptions) =>
    this.request<T>('GET', path, options);
  post = <T = Record<string, unknown>>(path: string, json?: unknown, options?: RequestOptions) =>
    this.request<T>('POST', path, { ...options, ...(json === undefined ? {} : { json }) });
  delete = <T = Record<string, unknown>>(path: string, options?: RequestOptions) =>
    this.request<T>('DELETE', path, options);
  put = <T = Record<string, unknown>>(path: string, json?: unknown, options?: RequestOptions) =>
    this.request<T>('PUT', path, { ...options, ...(json === undefined ? {} : { json }) });
}
