/**
 * Opens the state backend the configuration names: SQLite (default, embedded) or Redis (several
 * verifier instances). The Redis module is loaded only when asked for, so a SQLite verifier never
 * loads ioredis.
 */
import type { StateConfig } from '../config';
import { redactUrl } from './redact';
import { SqliteState } from './sqlite';
import type { VerifierState } from './types';

export type { VerifierState } from './types';

export interface OpenStateOptions {
  /** Connection errors the backend recovers from by itself (Redis reconnects), for logging. */
  onError?: (err: Error) => void;
  /** SQLite: run the WAL checkpointer for this database (default true; false in cluster workers). */
  sqliteCheckpointer?: boolean;
}

export async function openState(config: StateConfig, opts: OpenStateOptions = {}): Promise<VerifierState> {
  if (config.kind === 'sqlite')
    return SqliteState.open(config.path, { checkpointer: opts.sqliteCheckpointer });
  const { RedisState } = await import('./redis');
  return RedisState.connect(config.url, { onError: opts.onError });
}

/** Where the state lives, for the start-up message; a Redis URL without its password. */
export function describeState(config: StateConfig): string {
  return config.kind === 'sqlite' ? `sqlite ${config.path}` : `redis ${redactUrl(config.url)}`;
}
