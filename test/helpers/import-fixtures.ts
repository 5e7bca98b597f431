import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';

/**
 * Source files as the systems users leave write them, each with users whose
 * passwords are known, hashed the way that system hashes (computed here with
 * the reference libraries, or Firebase's published sample vector).
 */
export interface FixtureUser {
  email: string;
  password: string;
  /** What the stored hash starts with before the first sign-in. */
  hashPrefix: string;
  /** Base32 TOTP secret when the source carries one. */
  totpSecret?: string;
  roles?: string[];
}

export interface Fixture {
  format: 'jsonl' | 'csv' | 'auth0' | 'firebase-scrypt' | 'keycloak';
  file: string;
  flags: string[];
  users: FixtureUser[];
}

const b64 = (bytes: Buffer) => bytes.toString('base64');
const unpadded = (bytes: Buffer) => b64(bytes).replace(/=+$/, '');

/** PHC parts of an argon2 string: salt and hash, decoded. */
function phcParts(encoded: string): { salt: Buffer; hash: Buffer } {
  const parts = encoded.split('$');
  return {
    salt: Buffer.from(parts[4] ?? '', 'base64'),
    hash: Buffer.from(parts[5] ?? '', 'base64'),
  };
}

/** Firebase's sample from github.com/firebase/scrypt (README): password user1password. */
export const firebaseSample = {
  signerKey:
    'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  saltSeparator: 'Bw==',
  rounds: 8,
  memCost: 14,
  salt: '42xEC+ixf3L2lw==',
  hash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
  password: 'user1password',
};

export async function writeFixtures(dir: string, tag: string): Promise<Fixture[]> {
  const email = (name: string) => `${tag}-${name}@example.com`;
  const fixtures: Fixture[] = [];

  // Gatehouse JSONL: bcrypt, argon2i, standard scrypt, PBKDF2-SHA256, and a TOTP secret.
  {
    const scryptSalt = randomBytes(16);
    const pbkdf2Salt = randomBytes(16);
    const users: FixtureUser[] = [
      { email: email('jsonl-bcrypt'), password: 'jsonl bcrypt pass 1', hashPrefix: '$2b$' },
      { email: email('jsonl-argon2i'), password: 'jsonl argon2i pass', hashPrefix: '$argon2i$' },
      { email: email('jsonl-scrypt'), password: 'jsonl scrypt pass!', hashPrefix: '$scrypt$' },
      {
        email: email('jsonl-pbkdf2'),
        password: 'jsonl pbkdf2 pass!',
        hashPrefix: '$pbkdf2-sha256$',
      },
      {
        email: email('jsonl-totp'),
        password: 'jsonl totp password',
        hashPrefix: '$2b$',
        totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        roles: ['admin'],
      },
    ];
    const [bc, ai, sc, pb, totp] = users as [
      FixtureUser,
      FixtureUser,
      FixtureUser,
      FixtureUser,
      FixtureUser,
    ];
    const lines = [
      { email: bc.email, emailVerified: true, passwordHash: bcrypt.hashSync(bc.password, 4) },
      {
        email: ai.email.toUpperCase(),
        passwordHash: await argon2Hash(ai.password, {
          algorithm: 1,
          memoryCost: 1024,
          timeCost: 1,
        }),
      },
      {
        email: sc.email,
        passwordHash: `$scrypt$ln=10,r=8,p=1$${unpadded(scryptSalt)}$${unpadded(
          scryptSync(sc.password, scryptSalt, 32, { N: 1024, r: 8, p: 1 }),
        )}`,
      },
      {
        email: pb.email,
        passwordHash: `$pbkdf2-sha256$i=1000$${unpadded(pbkdf2Salt)}$${unpadded(
          pbkdf2Sync(pb.password, pbkdf2Salt, 1000, 32, 'sha256'),
        )}`,
      },
      {
        email: totp.email,
        roles: ['admin'],
        passwordHash: bcrypt.hashSync(totp.password, 4),
        totp: { secret: totp.totpSecret, algorithm: 'SHA1', digits: 6, period: 30 },
      },
    ];
    const file = join(dir, 'users.jsonl');
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    fixtures.push({ format: 'jsonl', file, flags: [], users });
  }

  // CSV: bcrypt $2a$, roles separated by ';'.
  {
    const user: FixtureUser = {
      email: email('csv-bcrypt'),
      password: 'csv bcrypt password',
      hashPrefix: '$2a$',
      roles: ['admin'],
    };
    const hash = bcrypt.hashSync(user.password, 4).replace(/^\$2b\$/, '$2a$');
    const file = join(dir, 'users.csv');
    writeFileSync(
      file,
      `email,email_verified,roles,password_hash\n${user.email},true,admin;,"${hash}"\n`,
    );
    fixtures.push({ format: 'csv', file, flags: [], users: [user] });
  }

  // Auth0's export with hashes: JSON lines with `_id: {$oid}`.
  {
    const user: FixtureUser = {
      email: email('auth0'),
      password: 'auth0 bcrypt password',
      hashPrefix: '$2b$',
    };
    const file = join(dir, 'auth0.json');
    writeFileSync(
      file,
      `${JSON.stringify({
        _id: { $oid: randomBytes(12).toString('hex') },
        email: user.email,
        email_verified: true,
        passwordHash: bcrypt.hashSync(user.password, 10),
        tenant: 'acme',
        connection: 'Username-Password-Authentication',
        _tmp_is_unique: true,
      })}\n`,
    );
    fixtures.push({ format: 'auth0', file, flags: [], users: [user] });
  }

  // Firebase auth:export with the published sample vector.
  {
    const user: FixtureUser = {
      email: email('firebase'),
      password: firebaseSample.password,
      hashPrefix: '$firebase-scrypt$',
    };
    const file = join(dir, 'firebase.json');
    writeFileSync(
      file,
      JSON.stringify({
        users: [
          {
            localId: randomBytes(14).toString('hex'),
            email: user.email,
            emailVerified: true,
            passwordHash: firebaseSample.hash,
            salt: firebaseSample.salt,
            createdAt: '1600000000000',
            disabled: false,
            providerUserInfo: [],
          },
        ],
      }),
    );
    // As an operator saves it from the console: surrounding whitespace is not the key's.
    const keyFile = join(dir, `${tag}-firebase-hash-key`);
    writeFileSync(keyFile, `  ${firebaseSample.signerKey}\n`, { mode: 0o600 });
    fixtures.push({
      format: 'firebase-scrypt',
      file,
      flags: [
        '--hash-key-file',
        keyFile,
        '--salt-separator',
        firebaseSample.saltSeparator,
        '--rounds',
        String(firebaseSample.rounds),
        '--mem-cost',
        String(firebaseSample.memCost),
      ],
      users: [user],
    });
  }

  // Keycloak realm export: pbkdf2-sha256 (27,500 iterations, 64 bytes), pbkdf2-sha512, argon2, an otp credential.
  {
    const users: FixtureUser[] = [
      { email: email('kc-sha256'), password: 'keycloak sha256 pw', hashPrefix: '$pbkdf2-sha256$' },
      { email: email('kc-sha512'), password: 'keycloak sha512 pw', hashPrefix: '$pbkdf2-sha512$' },
      {
        email: email('kc-argon2'),
        password: 'keycloak argon2 pw',
        hashPrefix: '$argon2id$v=19$m=7168,t=5',
      },
      {
        email: email('kc-otp'),
        password: 'keycloak otp user pw',
        hashPrefix: '$pbkdf2-sha256$',
        // Keycloak keeps the typed characters; apps get their base32 (of "kcsecretkcsecretkcse").
        totpSecret: 'NNRXGZLDOJSXI23DONSWG4TFORVWG43F',
        roles: ['admin'],
      },
    ];
    const pbkdf2Credential = (
      password: string,
      digest: 'sha256' | 'sha512',
      iterations: number,
    ) => {
      const salt = randomBytes(16);
      return {
        type: 'password',
        createdDate: 1700000000000,
        secretData: JSON.stringify({
          value: b64(pbkdf2Sync(password, salt, iterations, 64, digest)),
          salt: b64(salt),
          additionalParameters: {},
        }),
        credentialData: JSON.stringify({
          hashIterations: iterations,
          algorithm: `pbkdf2-${digest}`,
          additionalParameters: {},
        }),
      };
    };
    const argon = phcParts(
      await argon2Hash(users[2]?.password ?? '', {
        algorithm: 2,
        memoryCost: 7168,
        timeCost: 5,
        parallelism: 1,
      }),
    );
    const argonCredential = {
      type: 'password',
      secretData: JSON.stringify({
        value: b64(argon.hash),
        salt: b64(argon.salt),
        additionalParameters: {},
      }),
      credentialData: JSON.stringify({
        hashIterations: 5,
        algorithm: 'argon2',
        additionalParameters: {
          hashLength: ['32'],
          memory: ['7168'],
          type: ['id'],
          version: ['1.3'],
          parallelism: ['1'],
          iterations: ['5'],
        },
      }),
    };
    const otpCredential = {
      type: 'otp',
      userLabel: 'phone',
      secretData: JSON.stringify({ value: 'kcsecretkcsecretkcse' }),
      credentialData: JSON.stringify({
        subType: 'totp',
        digits: 6,
        counter: 0,
        period: 30,
        algorithm: 'HmacSHA1',
      }),
    };
    const kcUser = (user: FixtureUser, credentials: unknown[], realmRoles: string[]) => ({
      id: randomBytes(16).toString('hex'),
      createdTimestamp: 1700000000000,
      username: user.email.split('@')[0],
      enabled: true,
      email: user.email,
      emailVerified: true,
      credentials,
      realmRoles,
    });
    const [s256, s512, a2, otp] = users as [FixtureUser, FixtureUser, FixtureUser, FixtureUser];
    const file = join(dir, 'realm.json');
    writeFileSync(
      file,
      JSON.stringify({
        realm: 'acme',
        users: [
          kcUser(s256, [pbkdf2Credential(s256.password, 'sha256', 27500)], ['default-roles-acme']),
          kcUser(s512, [pbkdf2Credential(s512.password, 'sha512', 1000)], ['offline_access']),
          kcUser(a2, [argonCredential], []),
          kcUser(
            otp,
            [pbkdf2Credential(otp.password, 'sha256', 1000), otpCredential],
            ['default-roles-acme', 'admin', 'uma_authorization'],
          ),
        ],
      }),
    );
    fixtures.push({ format: 'keycloak', file, flags: [], users });
  }
  return fixtures;
}
