import {
  type Decision,
  type DecisionContext,
  decide,
  type Explanation,
  explain,
  type Policy,
  type ResourceInput,
} from '@gatehouse/authz';
import type { StepUpDemand } from '../errors.js';
import type { Principal } from '../principal.js';
import { grantsFor } from '../store/repositories/acl-grants.js';
import type { Db } from '../store/schema.js';

/** A "what if" question: the resource's attributes come from the asker, its ACL from the store. */
export interface Check {
  action: string;
  resource: {
    type: string;
    id?: string | undefined;
    ownerId?: string | undefined;
    attributes?: Readonly<Record<string, string | number | boolean>> | undefined;
  };
}

export interface CheckAnswer {
  allowed: boolean;
  reason: string;
  /** Denied, but a more recent or stronger login would be allowed: what it needs. */
  stepUp?: StepUpDemand;
}

export interface CheckContext {
  db: Db;
  policy: Policy;
  principal: Principal;
  environment: DecisionContext;
}

/** The ACL grants of every resource named by id, one query per resource type. */
async function storedGrants(db: Db, checks: readonly Check[]) {
  const idsByType = new Map<string, string[]>();
  for (const { resource } of checks) {
    if (resource.id === undefined) continue;
    idsByType.set(resource.type, [...(idsByType.get(resource.type) ?? []), resource.id]);
  }
  return new Map(
    await Promise.all(
      [...idsByType].map(async ([type, ids]) => [type, await grantsFor(db, type, ids)] as const),
    ),
  );
}

/** What the engine is asked for one check: the asker's resource with its stored ACL. */
function inputOf(
  { resource }: Check,
  grants: Awaited<ReturnType<typeof storedGrants>>,
): ResourceInput {
  const acl = resource.id === undefined ? undefined : grants.get(resource.type)?.get(resource.id);
  // Just `{ type }` asks what a route guard asks: answered the same way.
  const aboutType =
    resource.id === undefined &&
    resource.ownerId === undefined &&
    resource.attributes === undefined;
  return {
    type: resource.type,
    id: resource.id ?? '',
    ...(resource.ownerId === undefined ? {} : { ownerId: resource.ownerId }),
    attributes: resource.attributes ?? {},
    ...(acl === undefined ? {} : { acl }),
    ...(aboutType ? { typeLevel: true as const } : {}),
  };
}

const answerOf = ({ allowed, reason, stepUp }: Decision): CheckAnswer => ({
  allowed,
  reason,
  ...(stepUp === undefined ? {} : { stepUp }),
});

/** Decides each check for the principal, in order. */
export async function checkAll(
  ctx: CheckContext,
  checks: readonly Check[],
): Promise<CheckAnswer[]> {
  const grants = await storedGrants(ctx.db, checks);
  return checks.map((check) =>
    answerOf(
      decide(ctx.policy, ctx.principal, check.action, inputOf(check, grants), ctx.environment),
    ),
  );
}

/** One check answered as `checkAll` answers it, with the engine's trace of why. */
export async function explainCheck(
  ctx: CheckContext,
  check: Check,
): Promise<{ decision: CheckAnswer; explanation: Explanation }> {
  const input = inputOf(check, await storedGrants(ctx.db, [check]));
  const { policy, principal, environment } = ctx;
  return {
    decision: answerOf(decide(policy, principal, check.action, input, environment)),
    explanation: explain(policy, principal, check.action, input, environment),
  };
}
