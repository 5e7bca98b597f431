#!/usr/bin/env node
import { runClients } from './clients.js';
import { errorLine } from './error-line.js';
import { runKeys } from './keys.js';
import { runMigrate } from './migrate.js';
import { runOidc } from './oidc.js';
import { runSecret } from './secret.js';
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
  secret rotate (--old-file F | --old-stdin) (--new-file F | --new-stdin)
                                                      re-seal everything sealed with GATEHOUSE_SECRET_KEY
                                                      under a new one, in one transaction (both read from
                                                      files or stdin, never arguments; both on stdin:
                                                      old on the first line, new on the second)

settings also come from the environment (PORT, DATABASE_URL, REDIS_URL, GATEHOUSE_SECRET_KEY, ...)`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  // Loaded only to serve: the HTTP layer (and oidc-provider, which warns on Node.js 20) stays out of the other commands.
  serve: async (args) => (await import('./serve.js')).runServe(args),
  migrate: runMigrate,
  user: runUser,
  keys: runKeys,
  oidc: runOidc,
  clients: runClients,
  secret: runSecret,
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
    const { text, exitCode } = errorLine(error, usage);
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  },
);
