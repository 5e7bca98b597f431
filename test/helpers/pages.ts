import type { Client, Response } from './client.js';

/** The hidden CSRF field of the (first) form on a page. */
export function csrfFieldOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('the page has no form with a CSRF field');
  return match[1];
}

/** Opens a page as a browser would (asking for HTML), without following a redirect. */
export const openPage = (client: Client, path: string): Promise<Response> =>
  client.get(path, { headers: { accept: 'text/html' }, manualRedirect: true });

/**
 * Posts a form as a browser would: urlencoded fields, the CSRF field taken
 * from `from` (a page to open first) unless `csrf` is given, and no JSON CSRF
 * header: pages read only the form field.
 */
export async function submitForm(
  client: Client,
  path: string,
  fields: Record<string, string>,
  options: { from?: string; csrf?: string | null } = {},
): Promise<Response> {
  let csrf = options.csrf;
  if (csrf === undefined) csrf = csrfFieldOf((await openPage(client, options.from ?? path)).text);
  const body = new URLSearchParams({ ...fields, ...(csrf === null ? {} : { _csrf: csrf }) });
  return client.request('POST', path, {
    body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    withoutCsrf: true,
    manualRedirect: true,
  });
}
