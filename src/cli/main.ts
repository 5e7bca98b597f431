#!/usr/bin/env node
import { describeFailure } from '../connection-errors.js';
import { ConfigError, isAuthError, UnavailableError } from '../errors.js';
import { runClients } from './clients.js';
import { runKeys } from './keys.js';
import { runMigrate } from './migrate.js';
import { runOidc } from './oidc.js';
import { runUser } from './user.js';

const usage = `usage: gatehouse <command> [options]

commands:
  serve [--port N] [--data-dir DIR] [--config FILE]   start the server
  migrate [--data-dir DIR] [--config FILE]            apply pending database migrations
  user create --email E --password-stdin [--role R]... [--service]
                                                      create a user (password read from stdin,
                                                      email verified: the operator vouches for it);
                                                      --service: a machine account for Basic
  user ban --email E [--reason TEXT]                  ban a user and end all their sessions
  user unban --email E                                lift a ban
  keys rotate                                         sign with a new key; old keys verify until their tokens expire
  keys list                                           print the public JWKS
  oidc add --id ID --name NAME (--issuer URL | --preset google|microsoft|apple|github)
           --client-id ID [--client-secret-stdin] [--scope S]... [--authoritative-domain D]...
           [--allow-create] [--trust-upstream-amr] [--tenant T] [--response-mode form_post]
           [--authorization-endpoint URL --token-endpoint URL --api-base-url URL]
                                                      add a sign-in provider (secret read from stdin,
                                                      sealed in the database)
  oidc list                                           print the providers (without secrets)
  oidc remove --id ID                                 remove a provider added with the CLI
  clients create --name NAME [--redirect-uri URL]... [--public] [--grant G]... [--scope "S ..."]
           [--trusted] [--post-logout-redirect-uri URL]... [--backchannel-logout-uri URL]
           [--jwks-file PATH] [--id-token-signing-alg EdDSA|ES256|RS256]
                                                      register an app that signs in through Gatehouse
                                                      (grants: authorization_code, refresh_token,
                                                      client_credentials); prints the secret once
  clients list                                        print the registered apps (without secrets)
  clients delete --id CLIENT_ID                       delete an app; its tokens stop working
  clients rotate-secret --id CLIENT_ID                print a new secret once; the old one stops working

settings also come from the environment (PORT, DATABASE_URL, REDIS_URL, GATEHOUSE_SECRET_KEY, ...)`;

/** The setting an operator fixes when a dependency cannot be reached. */
const dependencySetting = { database: 'DATABASE_URL', cache: 'REDIS_URL' } as const;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  // Loaded only to serve: the HTTP layer (and oidc-provider, which warns on Node.js 20) stays out of the other commands.
  serve: async (args) => (await import('./serve.js')).runServe(args),
  migrate: runMigrate,
  user: runUser,
  keys: runKeys,
  oidc: runOidc,
  clients: runClients,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? commands[command] : undefined;
  if (!run) {
    process.stderr.write(`${usage}\n`);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`gatehouse: invalid setting ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof UnavailableError) {
      const setting = dependencySetting[error.dependency];
      process.stderr.write(
        `gatehouse: cannot reach the ${error.dependency} (${setting}): ${describeFailure(error.cause)}\n`,
      );
      process.exitCode = 1;
    } else if (isAuthError(error)) {
      process.stderr.write(`gatehouse: ${error.code}: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof TypeError && error.message.startsWith('Unknown option')) {
      process.stderr.write(`gatehouse: ${error.message}\n${usage}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(
        `gatehouse: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  },
);
