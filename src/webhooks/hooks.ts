import type { BackgroundTasks } from '../background.js';
import type { WebhookEvent, WebhookEventType } from './events.js';

/** A function the embedding app runs on an event, after the change has committed. */
export type EventHook<T extends WebhookEventType = WebhookEventType> = (
  event: WebhookEvent<T>,
) => void | Promise<void>;

/** Hooks given to `createCore(settings, { hooks })`: one or more per event type, `*` for every one. */
export type EventHooksOption = {
  [K in WebhookEventType]?: EventHook<K> | ReadonlyArray<EventHook<K>>;
} & { '*'?: EventHook | readonly EventHook[] };

/** `core.events`: in-process hooks of the embedded library. */
export interface EventHooks {
  /** Runs `hook` on every event of `type` (`*`: all); returns the function that removes it. */
  on<T extends WebhookEventType>(type: T, hook: EventHook<T>): () => void;
  on(type: '*', hook: EventHook): () => void;
}

export interface HookRunner extends EventHooks {
  /** Whether any hook wants this type (else the event is not even built). */
  wants(type: WebhookEventType): boolean;
  /** Starts every hook of the event in the background: a failing hook is logged, nothing else. */
  emit(event: WebhookEvent): void;
}

export function createHookRunner(
  background: BackgroundTasks,
  initial: EventHooksOption = {},
): HookRunner {
  const hooks = new Map<string, Set<EventHook>>();
  const on = (type: string, hook: EventHook) => {
    const set = hooks.get(type) ?? new Set<EventHook>();
    set.add(hook);
    hooks.set(type, set);
    return () => {
      set.delete(hook);
    };
  };
  for (const [type, given] of Object.entries(initial)) {
    const list: readonly EventHook[] = Array.isArray(given) ? given : [given as EventHook];
    for (const hook of list) on(type, hook);
  }
  const of = (type: string) => [...(hooks.get(type) ?? [])];
  return {
    on: on as EventHooks['on'],
    wants: (type) => of(type).length > 0 || of('*').length > 0,
    emit(event) {
      for (const hook of [...of(event.type), ...of('*')])
        background.run(`hook ${event.type}`, async () => {
          await hook(event);
        });
    },
  };
}
