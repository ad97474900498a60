import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './contract';
import { CHANNEL_NAMES } from './contract';
import type { IpcResult } from './define';

type DomainOf<K> = K extends `${infer D}:${string}` ? D : never;
type ActionOf<K, D extends string> = K extends `${D}:${infer A}` ? A : never;
type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** `input` is optional where the channel takes nothing (z.void) or only defaults. */
type Caller<C extends ChannelName> =
  undefined extends ChannelInput<C>
    ? (input?: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>
    : (input: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>;

/** `window.api`, derived from the contract: `api.settings.update({...})` calls channel `settings:update`. */
export type SignetApi = {
  [D in DomainOf<ChannelName> as CamelCase<D>]: {
    [A in ActionOf<ChannelName, D> as CamelCase<A>]: Caller<`${D}:${A}` & ChannelName>;
  };
} & {
  /** Subscribe to an event from main; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export type Invoke = (channel: ChannelName, input: unknown) => Promise<IpcResult<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Builds the API object from the contract's channel list. Preload passes an `invoke` over ipcRenderer;
 * the browser tests pass one over a Playwright binding to the same main-process router.
 */
export function buildApi(invoke: Invoke, subscribe: Subscribe): SignetApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<IpcResult<unknown>>>> = {};
  for (const name of CHANNEL_NAMES) {
    const [domain, action] = name.split(':') as [string, string];
    const group = (api[camel(domain)] ??= {});
    group[camel(action)] = (input?: unknown) => invoke(name, input);
  }
  return Object.assign(api, {
    on: (event: EventName, listener: (payload: unknown) => void) => subscribe(event, listener),
  }) as unknown as SignetApi;
}
