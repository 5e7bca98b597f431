import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  newWebhookSecret,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js';

const bin = join(import.meta.dirname, '../../dist/cli/main.js');
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-webhooks-'));
const secret = newWebhookSecret();
let receiver: WebhookReceiver;
let config: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  config = join(dataDir, 'gatehouse.json');
  const endpoint = { id: 'app', url: receiver.url, secretEnv: 'APP_WEBHOOK_SECRET', events: ['*'] };
  writeFileSync(config, JSON.stringify({ webhooks: { endpoints: [endpoint] } }));
});
afterAll(async () => {
  await receiver.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The built CLI as a separate process, the secret in its environment as an operator would set it. */
const gatehouse = (args: string[], stdin = '') =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH, APP_WEBHOOK_SECRET: secret };
    const child = spawn(
      process.execPath,
      [bin, ...args, '--data-dir', dataDir, '--config', config],
      {
        env,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe('the CLI sends the events of its changes', () => {
  it('user create and user ban: user.created and user.banned, signed, before the process exits', async () => {
    const email = 'operator-made@example.com';
    const created = await gatehouse(
      ['user', 'create', '--email', email, '--password-stdin'],
      'a long passphrase of the operator',
    );
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const banned = await gatehouse(['user', 'ban', '--email', email, '--reason', 'test']);
    expect(banned.code).toBe(0);
    const payloads = receiver.received.map((r) => receiver.verify(r, secret));
    expect(payloads).toEqual([
      expect.objectContaining({
        type: 'user.created',
        data: { userId: id, email, provider: null },
      }),
      expect.objectContaining({
        type: 'user.banned',
        data: { userId: id, email, reason: 'test', by: null },
      }),
    ]);
    expect(`${created.stderr}${banned.stderr}`).not.toContain(secret.slice(6, 20));
  });
});
