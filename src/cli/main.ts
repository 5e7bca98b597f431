#!/usr/bin/env node
import { packageVersion } from '../version.js';
import { errorLine } from './error-line.js';

const usage = `usage: gatehouse <command> [options]

commands:
  serve [--port N] [--data-dir DIR] [--config FILE]   start the server
  migrate [--data-dir DIR] [--config FILE]            apply pending database migrations
  user create --email E --password-stdin [--role R]... [--service]
                                                      create a user (password read from stdin,
                                                      email verified: the operator vouches for it);
                                                      --service: a machine account for Basic
  user list [--email PREFIX] [--role R] [--banned] [--json]
                                                      every matching user in email order, streamed
                                                      (tab-separated columns, or JSON lines)
  user roles --email E --set admin,editor             replace a user's roles (--set "" for none); their
                                                      tokens carry the new roles from the next refresh
  user ban --email E [--reason TEXT]                  ban a user and end all their sessions
  user unban --email E                                lift a ban
  user delete --email E [--yes]                       delete a user and everything of theirs; their
                                                      tokens stop working at once
  user sessions --email E [--json]                    a user's live sessions
  user revoke-sessions --email E                      end every session of a user
  user reset-password --email E                       mail the user a password-reset link
  keys rotate                                         sign with a new key; old keys verify until their
                                                      tokens expire; running servers switch within seconds
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
  import users FILE --format jsonl|csv|auth0|firebase-scrypt|keycloak [--dry-run] [--batch-size N]
           [--hash-key-file PATH --salt-separator B64 --rounds N --mem-cost N]   (firebase-scrypt;
           the base64 key in PATH, or in GATEHOUSE_FIREBASE_HASH_KEY instead of --hash-key-file)
                                                      import users with their password hashes as they
                                                      are (upgraded to argon2id at their next sign-in);
                                                      an existing email is skipped, so a re-run resumes;
                                                      exit 1 when a row failed (each reported on stderr)
  export users [--output FILE]                        every user as JSON lines, password hashes and TOTP
                                                      secrets included (FILE is created mode 0600)
  secret rotate (--old-file F | --old-stdin) (--new-file F | --new-stdin)
                                                      re-seal everything sealed with GATEHOUSE_SECRET_KEY
                                                      under a new one, in one transaction (both read from
                                                      files or stdin, never arguments; both on stdin:
                                                      old on the first line, new on the second)

every command takes [--data-dir DIR] [--config FILE]; gatehouse --version, gatehouse <command> --help
settings also come from the environment (PORT, DATABASE_URL, REDIS_URL, GATEHOUSE_SECRET_KEY, ...)`;

/** The usage lines of one command (its first line starts with it; continuation lines are indented further). */
function usageOf(command: string): string {
  const lines = usage.split('\n');
  const picked: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (/^ {2}\S/.test(line)) inside = line.startsWith(`  ${command} `) || line === `  ${command}`;
    else if (!/^ {5,}\S/.test(line)) inside = false;
    if (inside) picked.push(line);
  }
  return `usage: gatehouse ${command} [options]\n\n${picked.join('\n')}`;
}

const HELP = new Set(['--help', '-h', 'help']);

// Each command is loaded when it runs: help and --version open no database driver, and the HTTP
// layer (with oidc-provider, which warns on Node.js 20) stays out of every command but serve.
const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve: async (args) => (await import('./serve.js')).runServe(args),
  migrate: async (args) => (await import('./migrate.js')).runMigrate(args),
  user: async (args) => (await import('./user.js')).runUser(args),
  keys: async (args) => (await import('./keys.js')).runKeys(args),
  oidc: async (args) => (await import('./oidc.js')).runOidc(args),
  clients: async (args) => (await import('./clients.js')).runClients(args),
  secret: async (args) => (await import('./secret.js')).runSecret(args),
  import: async (args) => (await import('./import.js')).runImport(args),
  export: async (args) => (await import('./export.js')).runExport(args),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // Asked-for help is output (stdout, exit 0); help after a mistake goes to stderr with exit 2.
  if (command === undefined || HELP.has(command)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const run = commands[command];
  if (!run) {
    const what = command.startsWith('-') ? 'option' : 'command';
    process.stderr.write(`gatehouse: unknown ${what} ${JSON.stringify(command)}\n${usage}\n`);
    return 2;
  }
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    process.stdout.write(`${usageOf(command)}\n`);
    return 0;
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
