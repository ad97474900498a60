/**
 * The shape of a `signet` command: its words, usage line, flags and positional arguments (the table itself is
 * in commands.ts), and the flags every command takes.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in the usage, e.g. DIR. */
  value?: string;
  help: string;
}

export type CommandName =
  | 'accounts add'
  | 'accounts list'
  | 'accounts test'
  | 'accounts remove'
  | 'accounts verifier-key'
  | 'settings get'
  | 'settings set'
  | 'sync'
  | 'ls'
  | 'verify'
  | 'keys new'
  | 'keys list'
  | 'keys retire'
  | 'verifier-config'
  | 'link'
  | 'links batch'
  | 'links list'
  | 'links revoke'
  | 'links reissue'
  | 'upload'
  | 'private'
  | 'public'
  | 'jobs list'
  | 'jobs resume'
  | 'jobs cancel'
  | 'backup'
  | 'restore'
  | 'watch';

export interface CommandSpec {
  name: CommandName;
  /** What follows the command words in the usage line, e.g. `ACCOUNT [--bucket B]`. */
  synopsis: string;
  summary: string;
  /** Lines printed after the options in `--help`. */
  details?: string[];
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number | null; missing: string };
}

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: "the data folder (default: $SIGNET_DATA_DIR, else the desktop app's own)",
  },
  json: { type: 'boolean', help: 'machine-readable output: JSON Lines for listings, else one JSON object' },
  help: { type: 'boolean', short: 'h', help: 'print this usage and exit' },
};
