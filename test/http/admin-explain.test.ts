import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { signedInUser } from '../helpers/accounts.js';
import type { Client } from '../helpers/client.js';
import { startServerWithPolicy } from '../helpers/policy-server.js';
import { expectProblem } from '../helpers/problem.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const policy = `version: 1
resources:
  posts:
    actions: [read, update, delete]
    attributes:
      category: string
  users:
    actions: [manage]
  audit:
    actions: [read]
roles:
  editor:
    permissions: [posts:read, posts:update]
  admin:
    permissions: [users:manage, audit:read]
rules:
  - id: locked-posts-stay
    effect: deny
    actions: [posts:update]
    when: resource.category == "locked"
  - id: authors-delete-when-fresh
    effect: allow
    actions: [posts:delete]
    owner: true
    when: auth.ageSeconds < 300
`;

let server: TestServer;
let admin: Client;
beforeAll(async () => {
  server = await startServerWithPolicy(policy);
  ({ client: admin } = await signedInUser(server, { roles: ['admin'] }));
});
afterAll(async () => server.stop());

interface Answer {
  allowed: boolean;
  reason: string;
  stepUp?: unknown;
}
interface Explained {
  user: { id: string; roles: string[] };
  decision: Answer;
  explanation: Answer & {
    decidedBy?: { source: string; id: string };
    considered: Array<{ source: string; id: string; outcome: string }>;
  };
}

describe('POST /authz/explain', () => {
  it("answers as /authz/check answers the user themself, with the engine's trace", async () => {
    const { client, userId } = await signedInUser(server, { roles: ['editor'] });
    const checks = [
      { action: 'posts:read', resource: { type: 'posts' } },
      {
        action: 'posts:update',
        resource: { type: 'posts', id: 'p1', attributes: { category: 'news' } },
      },
      {
        action: 'posts:update',
        resource: { type: 'posts', id: 'p2', attributes: { category: 'locked' } },
      },
      { action: 'posts:delete', resource: { type: 'posts', id: 'p3', ownerId: userId } },
      { action: 'posts:delete', resource: { type: 'posts', id: 'p4', ownerId: 'someone-else' } },
      { action: 'users:manage', resource: { type: 'users' } },
      { action: 'nothing:here', resource: { type: 'posts' } },
    ];
    const reasons: string[] = [];
    for (const check of checks) {
      const own = await client.post<Answer>('/authz/check', check);
      expect(own.status).toBe(200);
      const explained = await admin.post<Explained>('/authz/explain', { userId, ...check });
      expect(explained.status, explained.text).toBe(200);
      expect(explained.body.decision).toEqual(own.body);
      expect(explained.body.explanation).toMatchObject(own.body);
      expect(explained.body.user).toMatchObject({ id: userId, roles: ['editor'] });
      reasons.push(own.body.reason);
    }
    // The checks reach every kind of answer, so the comparison above means something.
    expect(reasons).toEqual([
      'role:editor',
      'role:editor',
      'rule:locked-posts-stay',
      'rule:authors-delete-when-fresh',
      'default_deny',
      'default_deny',
      'action:unknown',
    ]);
    const locked = await admin.post<Explained>('/authz/explain', { userId, ...checks[2] });
    expect(locked.body.explanation.decidedBy).toMatchObject({
      source: 'rule',
      id: 'locked-posts-stay',
    });
    expect(locked.body.explanation.considered).toContainEqual(
      expect.objectContaining({ source: 'role', id: 'editor', outcome: 'matched' }),
    );
  });

  it('assumes the sign-in it is told: an old one asks for a step-up, as /authz/check then does', async () => {
    const { client, userId } = await signedInUser(server, { roles: ['editor'] });
    const check = {
      action: 'posts:delete',
      resource: { type: 'posts', id: 'p9', ownerId: userId },
    };
    server.clock.advance(600_000);
    const own = await client.post<Answer>('/authz/check', check);
    expect(own.body).toMatchObject({ allowed: false, stepUp: expect.anything() });
    const old = await admin.post<Explained>('/authz/explain', {
      userId,
      ...check,
      login: { ageSeconds: 600 },
    });
    expect(old.body.decision).toEqual(own.body);
    const fresh = await admin.post<Explained>('/authz/explain', { userId, ...check });
    expect(fresh.body.decision).toEqual({
      allowed: true,
      reason: 'rule:authors-delete-when-fresh',
    });
  });

  it('404 for an unknown user, 400 for bad input; a non-admin cannot probe anyone', async () => {
    const check = { action: 'posts:read', resource: { type: 'posts' } };
    expectProblem(
      await admin.post('/authz/explain', {
        userId: '00000000-0000-0000-0000-000000000000',
        ...check,
      }),
      404,
      'not_found',
    );
    for (const body of [
      { ...check },
      { userId: 'x', action: 'posts:read' },
      { userId: 'x', ...check, login: { acr: 'aal3' } },
      { userId: 'x', ...check, extra: 1 },
    ]) {
      expectProblem(await admin.post('/authz/explain', body), 400, 'invalid_request');
    }
    const { client: editor, userId } = await signedInUser(server, { roles: ['editor'] });
    const { userId: other } = await signedInUser(server, { roles: ['admin'] });
    for (const target of [userId, other]) {
      expectProblem(
        await editor.post('/authz/explain', { userId: target, ...check }),
        403,
        'forbidden',
      );
    }
  });
});

describe('GET /authz/policy', () => {
  it('is the loaded policy file, as JSON', async () => {
    const response = await admin.get<{ file: string | null; document: unknown }>('/authz/policy');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ file: 'policy.yaml', document: parse(policy) });
  });

  it('shows the built-in policy when none is configured', async () => {
    const plain = await startTestServer();
    try {
      const { client } = await signedInUser(plain, { roles: ['admin'] });
      const response = await client.get<{ file: string | null; document: { roles: unknown } }>(
        '/authz/policy',
      );
      expect(response.body.file).toBeNull();
      expect(response.body.document.roles).toEqual({
        admin: { permissions: ['users:manage', 'audit:read'] },
        resource_server: { permissions: ['revocations:read'] },
      });
    } finally {
      await plain.stop();
    }
  });
});
