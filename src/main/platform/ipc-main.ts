import { ipcMain, type WebContents } from 'electron';
import {
  CHANNEL_NAMES,
  EVENT_CHANNEL_PREFIX,
  PRELOAD_CHANNEL_NAMES,
  events,
  type EventName,
  type EventPayload,
} from '@shared/ipc/contract';
import type { IpcRouter } from '../ipc/router';

/**
 * Registers one ipcMain handler per contract channel (and per channel only the preload calls), all going through
 * the router's checks.
 */
export function registerIpcHandlers(router: IpcRouter): void {
  for (const name of [...CHANNEL_NAMES, ...PRELOAD_CHANNEL_NAMES]) {
    ipcMain.handle(name, (event, input: unknown) =>
      router.dispatch(name, input, {
        url: event.senderFrame?.url ?? '',
        isMainFrame: event.senderFrame !== null && event.senderFrame === event.sender.mainFrame,
      }),
    );
  }
}

/** Sends a typed event; the payload is validated so the renderer never sees data outside the contract. */
export function makeEmitter(getTarget: () => WebContents | null) {
  return <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const target = getTarget();
    if (!target || target.isDestroyed()) return;
    target.send(EVENT_CHANNEL_PREFIX + event, events[event].parse(payload));
  };
}
