/** Calls of the pages' scripts to Gatehouse's JSON API, on this origin. */
export interface ApiAnswer {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

/** The session's CSRF token, which the page puts in <meta name="csrf-token">. */
const csrfToken = (): string =>
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

export async function postJson(path: string, body: unknown = {}): Promise<ApiAnswer> {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = {};
  }
  return { ok: response.ok, status: response.status, body: parsed };
}

/** Shows a message in the page's live region, so a screen reader hears it too. */
export function say(region: Element | null, message: string): void {
  if (!region) return;
  region.textContent = message;
  region.removeAttribute('hidden');
}
