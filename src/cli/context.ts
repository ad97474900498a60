/**
 * What a command gets to work with: its parsed arguments, the output, the services (opened on first use, so a
 * usage error never touches the data folder), and helpers shared by the command groups.
 */
import type { AccountView } from '@shared/accounts/schemas';
import type { MainServices } from '../main/wiring';
import { flag, stringOption, UsageError, type CommandSpec, type OptionValues } from './args';
import type { Output } from './output';

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CommandContext {
  command: CommandSpec;
  values: OptionValues;
  positionals: string[];
  out: Output;
  env: NodeJS.ProcessEnv;
  stdin: InStream;
  /** Aborted on Ctrl-C (SIGINT). */
  signal: AbortSignal;
  /** The main-process services over the data folder; opened on first call. */
  services(): MainServices;
}

/** A command: validates its input first (UsageError), then works; answers the exit status (0 or 1). */
export type CommandHandler = (ctx: CommandContext) => Promise<number>;

const MAX_SECRET_BYTES = 64 * 1024;

/**
 * Where a secret comes from: `--secret-stdin` or `--secret-env NAME` (exactly one). Checked before anything
 * else happens, so a usage error never waits for standard input.
 */
export function secretSource(
  ctx: CommandContext,
  what: string,
): { flag: '--secret-stdin' } | { flag: '--secret-env'; name: string } {
  const fromStdin = flag(ctx.values, 'secret-stdin');
  const envName = stringOption(ctx.values, 'secret-env');
  if (fromStdin && envName !== undefined) {
    throw new UsageError('--secret-stdin and --secret-env exclude each other: give one');
  }
  if (envName !== undefined) {
    if (!envName || !ctx.env[envName]) {
      throw new UsageError(`--secret-env: the environment variable “${envName}” is not set or empty`);
    }
    return { flag: '--secret-env', name: envName };
  }
  if (!fromStdin) {
    throw new UsageError(
      `--secret-stdin or --secret-env NAME is required: the ${what} is never taken from the command line`,
    );
  }
  return { flag: '--secret-stdin' };
}

/**
 * A secret from standard input (`--secret-stdin`; a hidden prompt when stdin is a terminal) or from a named
 * environment variable (`--secret-env NAME`): never from argv. A trailing newline is dropped.
 */
export async function readSecret(
  ctx: CommandContext,
  what: string,
): Promise<{ value: string; flag: string }> {
  const source = secretSource(ctx, what);
  if (source.flag === '--secret-env') {
    return { value: ctx.env[source.name]!.replace(/\r?\n$/, ''), flag: source.flag };
  }
  const value = ctx.stdin.isTTY
    ? await promptHidden(ctx, `${capitalize(what)} (not shown): `)
    : await readAll(ctx.stdin);
  if (value.trim() === '') throw new UsageError(`--secret-stdin: standard input held no ${what}`);
  return { value: value.replace(/\r?\n$/, ''), flag: source.flag };
}

/** All of standard input as UTF-8 (at most 64 KiB: a secret, not a file). */
export async function readAll(stdin: InStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_SECRET_BYTES)
      throw new UsageError('--secret-stdin: standard input is too long for a secret');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on stderr and reads a line from the terminal without echoing it. */
export function promptHidden(ctx: CommandContext, prompt: string): Promise<string> {
  const { stdin } = ctx;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.setRawMode?.(false);
      stdin.off('data', onData);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (data: Buffer | string) => {
      for (const ch of data.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new Error('Cancelled; nothing was changed.'));
          return;
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `ACCOUNT`: an account's id, or its name in any case. Unknown → exit 2, nothing changed. */
export async function findAccount(services: MainServices, text: string): Promise<AccountView> {
  const accounts = await services.accounts.list();
  const t = text.trim();
  const found =
    accounts.find((a) => a.id === t) ??
    accounts.find((a) => a.name.toLocaleLowerCase() === t.toLocaleLowerCase());
  if (!found) {
    throw new UsageError(
      accounts.length
        ? `no storage account “${text}” (it is one of: ${accounts.map((a) => a.name).join(', ')})`
        : `no storage account “${text}”: there are none yet (signet accounts add)`,
    );
  }
  return found;
}
