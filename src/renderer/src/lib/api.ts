import type { IpcError, IpcResult } from '@shared/ipc/define';

/** A failed IPC call, thrown so React Query and forms can show its message and field issues. */
export class ApiError extends Error {
  readonly code: IpcError['code'];
  readonly issues: NonNullable<IpcError['issues']>;

  constructor(error: IpcError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.issues = error.issues ?? [];
  }
}

/** Unwraps an IPC result: the data, or an ApiError carrying main's plain-words message. */
export async function unwrap<T>(call: Promise<IpcResult<T>>): Promise<T> {
  const result = await call;
  if (!result.ok) throw new ApiError(result.error);
  return result.data;
}

export const api = () => window.api;
