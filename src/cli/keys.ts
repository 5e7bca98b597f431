import { createCore } from '../core.js';
import { AuthError } from '../errors.js';
import { createLogger } from '../logger.js';
import { commonOptions, parseArgs, settingsFrom } from './settings-flags.js';

/** `gatehouse keys rotate`: a new key signs from now on; the old one keeps verifying until its tokens expire. */
export async function runKeys(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: commonOptions, strict: true });
  const core = await createCore(settingsFrom(values), { logger: createLogger('silent') });
  try {
    if (action === 'rotate') {
      const kid = await core.keys.rotate();
      process.stdout.write(
        `${JSON.stringify({ signingKid: kid, jwks: core.keys.jwks().keys.map((k) => k.kid) })}\n`,
      );
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
