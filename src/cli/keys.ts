import { createCore } from '../core.js';
import { AuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

/**
 * `gatehouse keys rotate`: a new key of each configured algorithm signs from
 * now on; the old ones keep verifying until their tokens expire.
 */
export async function runKeys(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: commonOptions, strict: true });
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    if (action === 'rotate') {
      const kid = await core.keys.rotate();
      const signingKeys = core.keys.signingKeys().map(({ kid, alg }) => ({ kid, alg }));
      const jwks = core.keys.jwks().keys.map((k) => k.kid);
      process.stdout.write(`${JSON.stringify({ signingKid: kid, signingKeys, jwks })}\n`);
      return 0;
    }
    if (action === 'list') {
      process.stdout.write(`${JSON.stringify(core.keys.jwks())}\n`);
      return 0;
    }
    throw new AuthError('invalid_request', 'keys takes rotate or list');
  } finally {
    await core.close();
  }
}
