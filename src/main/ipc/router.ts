import { z } from 'zod';
import {
  contract,
  preloadContract,
  type ChannelInput,
  type ChannelName,
  type ChannelOutput,
  type Contract,
  type PreloadContract,
} from '@shared/ipc/contract';
import type { IpcError, IpcResult } from '@shared/ipc/define';
import { UserFacingError } from '../services/errors';

/** What main needs to know about who is calling, independent of Electron's event objects. */
export interface SenderInfo {
  /** URL of the frame that sent the message. */
  url: string;
  /** False for iframes and other sub-frames. */
  isMainFrame: boolean;
}

/** The page's channels and those only the preload calls: main answers both, through the same checks. */
type Routed = Contract & PreloadContract;
const routed: Routed = { ...contract, ...preloadContract };

export type Handlers = {
  [C in keyof Routed]: (
    input: z.output<Routed[C]['input']>,
  ) => Promise<z.output<Routed[C]['output']>> | z.output<Routed[C]['output']>;
};

export interface Logger {
  error(message: string, details?: unknown): void;
}

/**
 * Turns the contract plus one handler per channel into a single `dispatch` used by every transport
 * (Electron's ipcMain in the app, a Playwright binding in browser tests). It checks the sender, parses the
 * input, runs the handler and checks the output; whatever happens the caller gets an IpcResult, never a throw.
 */
export function createIpcRouter(opts: {
  handlers: Handlers;
  isTrustedSender: (sender: SenderInfo) => boolean;
  logger: Logger;
}) {
  const { handlers, isTrustedSender, logger } = opts;

  async function dispatch(
    channel: string,
    rawInput: unknown,
    sender: SenderInfo,
  ): Promise<IpcResult<unknown>> {
    if (!isTrustedSender(sender)) {
      logger.error(`IPC: refused ${channel} from untrusted frame ${sender.url}`);
      return fail('forbidden-sender', 'This request did not come from the Signet window and was refused.');
    }
    if (!Object.hasOwn(routed, channel)) {
      return fail('unknown-channel', `Signet does not know the request "${channel}".`);
    }
    const name = channel as keyof Routed;
    const spec = routed[name];
    const parsed = spec.input.safeParse(rawInput);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return {
        ok: false,
        error: {
          code: 'invalid-input',
          message: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
          issues,
        },
      };
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      const output = await handler(parsed.data);
      const checked = spec.output.safeParse(output);
      if (!checked.success) {
        logger.error(`IPC: handler for ${name} returned data outside its contract`, checked.error.issues);
        return fail('internal', 'Signet hit an internal error. Nothing was changed; please try again.');
      }
      return { ok: true, data: checked.data };
    } catch (err) {
      if (err instanceof UserFacingError) return fail(err.code, err.message);
      logger.error(`IPC: handler for ${name} failed`, err);
      return fail('internal', 'Signet hit an internal error. Please try again; the details are in the log.');
    }
  }

  return { dispatch };
}

export type IpcRouter = ReturnType<typeof createIpcRouter>;

function fail(code: IpcError['code'], message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

/** Typed helper for tests and in-process callers. */
export async function call<C extends ChannelName>(
  router: IpcRouter,
  channel: C,
  input: ChannelInput<C>,
  sender: SenderInfo,
): Promise<IpcResult<ChannelOutput<C>>> {
  return (await router.dispatch(channel, input, sender)) as IpcResult<ChannelOutput<C>>;
}
