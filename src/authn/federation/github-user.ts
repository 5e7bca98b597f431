import { AuthError } from '../../errors.js';

/** GitHub has no ID token: who signed in is its user API's `id`, and the email its verified primary one. */
export interface GithubUser {
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

const upstreamError = (message: string, cause?: unknown) =>
  new AuthError('upstream_error', message, cause === undefined ? undefined : { cause });

async function getJson(url: string, accessToken: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'user-agent': 'Gatehouse',
      },
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw upstreamError('GitHub did not answer.', error);
  }
  if (!response.ok) throw upstreamError(`GitHub answered ${response.status}.`);
  return response.json().catch((error: unknown) => {
    throw upstreamError('GitHub answered something that is not JSON.', error);
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export async function fetchGithubUser(
  apiBaseUrl: string,
  accessToken: string,
): Promise<GithubUser> {
  const base = apiBaseUrl.replace(/\/+$/, '');
  const user = await getJson(`${base}/user`, accessToken);
  if (!isRecord(user) || !(typeof user.id === 'number' || typeof user.id === 'string'))
    throw upstreamError('GitHub sent no user id.');
  const emails = await getJson(`${base}/user/emails`, accessToken);
  const primary = Array.isArray(emails)
    ? emails.find((entry) => isRecord(entry) && entry.primary === true && entry.verified === true)
    : undefined;
  const email = isRecord(primary) && typeof primary.email === 'string' ? primary.email : null;
  return { subject: String(user.id), email, emailVerified: email !== null };
}
