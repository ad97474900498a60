/**
 * `signet`: the desktop app's operations as commands, for scripts (contract: ../shared/spec/cli.md). A thin
 * shell over the same main-process services the window uses, on the same data folder and keychain entries.
 * Exit status: 0 ok, 1 the operation ran but something failed or a check found a problem, 2 bad usage.
 */
import { resolve } from 'node:path';
import { UserFacingError } from '../main/services/errors';
import type { MainServices } from '../main/wiring';
import { parseCommandLine, stringOption, UsageError, type CommandName, type ParseResult } from './args';
import { accountCommands } from './commands/accounts';
import { backupCommands } from './commands/backup';
import { libraryCommands } from './commands/library';
import { jobCommands } from './commands/jobs';
import { linkCommands } from './commands/links';
import { settingsCommands } from './commands/settings';
import type { CommandContext, CommandHandler } from './context';
import { Output } from './output';
import { openServices, resolveDataDir, VERSION } from './services';

const HANDLERS: Record<CommandName, CommandHandler> = {
  ...accountCommands,
  ...settingsCommands,
  ...libraryCommands,
  ...linkCommands,
  ...jobCommands,
  ...backupCommands,
};

/** Commands that stop cleanly on Ctrl-C (the others are simply interrupted). */
const ABORTABLE: ReadonlySet<CommandName> = new Set([
  'sync',
  'verify',
  'watch',
  'upload',
  'private',
  'public',
  'jobs resume',
]);

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ParseResult;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    return reportError(err, null);
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`signet ${VERSION}\n`);
    return 0;
  }

  const { command, values, positionals } = parsed;
  const out = new Output(values['json'] === true);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    out.clearProgress();
    out.note('Stopping… (Ctrl-C again to quit at once)');
    controller.abort();
  };
  if (ABORTABLE.has(command.name)) process.on('SIGINT', onSigint);

  let services: MainServices | undefined;
  const ctx: CommandContext = {
    command,
    values,
    positionals,
    out,
    env: process.env,
    stdin: process.stdin,
    signal: controller.signal,
    services: () => {
      if (!services) {
        const flagged = stringOption(values, 'data-dir');
        if (flagged === '') throw new UsageError('--data-dir: give a folder');
        services = openServices(resolve(resolveDataDir(flagged)));
      }
      return services;
    },
  };
  try {
    return await HANDLERS[command.name](ctx);
  } catch (err) {
    out.clearProgress();
    return reportError(err, command.name);
  } finally {
    process.off('SIGINT', onSigint);
    services?.close();
  }
}

/** One line on stderr; the exit status the error means. */
function reportError(err: unknown, command: string | null): number {
  const where = command ? `signet ${command}` : 'signet';
  if (err instanceof UsageError) {
    const text = err.message.startsWith('signet') ? err.message : `${where}: ${err.message}`;
    process.stderr.write(`${oneLine(text)}\n`);
    return 2;
  }
  if (err instanceof UserFacingError) {
    process.stderr.write(`${oneLine(err.message)}\n`);
    return 1;
  }
  const e = err as Error & { code?: string };
  if (e?.code === 'ERR_DLOPEN_FAILED' || /NODE_MODULE_VERSION/.test(e?.message ?? '')) {
    process.stderr.write(
      `${where}: the native modules are built for Electron, not for this Node: run \`node scripts/native-abi.mjs node\` in the Signet folder (${oneLine(e.message)})\n`,
    );
    return 1;
  }
  process.stderr.write(`${where}: ${oneLine(e?.message ?? String(err))}\n`);
  if (process.env['SIGNET_DEBUG'] && e?.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

// `signet ls | head`: a closed pipe ends the listing quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

void main(process.argv.slice(2)).then((code) => {
  // Let stdout drain (pipes may be asynchronous) before exiting past open sockets or timers.
  process.stdout.write('', () => process.exit(code));
});
