import type { z } from 'zod';

/** One request/response channel: the renderer asks, main answers. */
export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line for humans: what the channel does (shown in the contract snapshot). */
  summary: string;
}

export function channel<I extends z.ZodType, O extends z.ZodType>(
  spec: ChannelSpec<I, O>,
): ChannelSpec<I, O> {
  return spec;
}

/** `domain:action`, lower-case words with dashes. Checked by a unit test for every channel and event. */
export const CHANNEL_NAME = /^[a-z][a-z-]*:[a-z][a-z-]*$/;

/** Errors crossing the IPC boundary: plain data, never an Error object or a stack. */
export type IpcErrorCode =
  | 'invalid-input' // the payload did not match the channel's input schema
  | 'forbidden-sender' // the call did not come from the app's own window
  | 'unknown-channel'
  | 'keychain-unavailable' // the OS keychain cannot be reached; nothing was stored
  | 'not-found'
  | 'conflict'
  | 'cancelled' // the user cancelled a long task; what it did so far is kept
  | 'storage-error' // the storage refused or failed; the message says what happened and what to do
  | 'verifier-error' // the verifier could not be reached or refused (bad admin token); nothing was marked
  | 'internal'; // a bug: the message says so plainly and the details are in the main-process log

export interface IpcError {
  code: IpcErrorCode;
  /** A sentence a shop owner can act on. */
  message: string;
  /** For `invalid-input`: which field and why, e.g. `verifierBaseUrl: Enter a full address…`. */
  issues?: { path: string; message: string }[];
}

export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcError };
