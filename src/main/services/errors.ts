import type { IpcErrorCode } from '@shared/ipc/define';

/**
 * An error a service raises on purpose, with a message written for the shop owner. The IPC router passes
 * its code and message to the renderer as they are; any other error is reported as an internal one.
 */
export class UserFacingError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
