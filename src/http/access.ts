/**
 * Object-level guards for route handlers. `requirePermission` is the route's
 * declared `access` (decided by the engine on the type-level resource before
 * the handler runs, see authz/permission-check.ts);
 * `requireAccess` loads one object and asks the engine about it.
 *
 * Status choice, used on every route: a caller who may not even `read` the
 * object gets 404 `not_found` — the same answer as for an id that does not
 * exist, so ids of other people's objects neither leak nor can be probed. A
 * caller who may read it but not do the action gets 403 `forbidden`.
 */
import type { RequestMeta } from '../authn/meta.js';
import { stepUpRequired } from '../authn/step-up.js';
import { decide } from '../authz/decide.js';
import type { DecisionContext } from '../authz/environment.js';
import { typeLevelResource } from '../authz/permission-check.js';
import type { Decision } from '../authz/policy-types.js';
import type { ResourceInput } from '../authz/resource.js';
import type { Core } from '../core.js';
import { AuthError } from '../errors.js';
import type { Principal } from '../principal.js';

/** The `access` of a route that needs a type-level permission such as `posts:delete`. */
export const requirePermission = <P extends string>(permission: P): { permission: P } => ({
  permission,
});

/** What a handler passes: its route context (or the parts of it the decision needs). */
export interface AccessContext {
  core: Core;
  principal: Principal;
  meta: RequestMeta;
}

/** A loaded object together with the engine's view of it. */
export interface Guarded<T> {
  value: T;
  resource: ResourceInput;
}

/** The environment of a decision: the injected clock and the caller's IP. */
export const decisionContext = (core: Core, meta: RequestMeta): DecisionContext => ({
  now: new Date(core.clock.now()),
  ...(meta.ip === null ? {} : { ip: meta.ip }),
});

export const decideFor = (ctx: AccessContext, action: string, resource: ResourceInput): Decision =>
  decide(ctx.core.policy, ctx.principal, action, resource, decisionContext(ctx.core, ctx.meta));

/** One answer for "missing" and "hidden", so the two cannot be told apart. */
const notFound = (): AuthError => new AuthError('not_found', 'No such object.');

/** The short action of the permission that reveals an object of this type (`<type>:read`). */
const readOf = (resource: ResourceInput): string => `${resource.type}:read`;

/**
 * Throws the guard's answer for a refused decision: 404 if the caller cannot
 * see the object; 401 `step_up_required` if a fresher or stronger login would
 * be allowed (and could see it); else 403.
 */
export function refuse(
  ctx: AccessContext,
  action: string,
  resource: ResourceInput,
  decision: Decision = decideFor(ctx, action, resource),
): never {
  const read = readOf(resource);
  const reading = action === read ? decision : decideFor(ctx, read, resource);
  const seenAfterStepUp = reading.allowed || reading.stepUp !== undefined;
  if (decision.stepUp && seenAfterStepUp) throw stepUpRequired(ctx.principal, decision.stepUp);
  if (action === read || !reading.allowed) throw notFound();
  throw new AuthError('forbidden', `Not allowed to ${action} this ${resource.type}.`);
}

/**
 * Loads the object (404 when missing), decides `action` on it with the
 * engine and returns it, or refuses with 404 / 403 as documented above.
 */
export async function requireAccess<T>(
  ctx: AccessContext,
  action: string,
  loadResource: () => Promise<Guarded<T> | null | undefined>,
): Promise<Guarded<T>> {
  const loaded = await loadResource();
  if (loaded === null || loaded === undefined) {
    throw notFound();
  }
  const decision = decideFor(ctx, action, loaded.resource);
  if (!decision.allowed) refuse(ctx, action, loaded.resource, decision);
  return loaded;
}

/**
 * Decides a route's permission again on the one object it acts on, so rules
 * about that object apply (a deny that protects one account, or the actor's
 * own). The route guard already decided at type level; this can only narrow.
 */
export function requireOn(ctx: AccessContext, permission: string, id: string): void {
  const type = typeLevelResource(ctx.core.policy, permission).type;
  const resource: ResourceInput = { type, id, attributes: {} };
  const decision = decideFor(ctx, permission, resource);
  if (decision.allowed) return;
  if (decision.stepUp) throw stepUpRequired(ctx.principal, decision.stepUp);
  throw new AuthError('forbidden', `Not allowed to ${permission} this ${type}.`);
}
