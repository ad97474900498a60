/**
 * Parsing of `signet` arguments (node:util parseArgs, strict). Flags may stand anywhere after the command words;
 * `--help` on any command prints its usage. Every mistake is a UsageError: exit status 2 and a one-line message
 * naming the flag or value, before anything is changed.
 */
import { parseArgs } from 'node:util';
import { GLOBAL_OPTIONS, type CommandSpec } from './command-spec';
import { COMMAND_GROUPS, COMMANDS } from './commands';
import { commandUsage, groupUsage, mainUsage } from './usage';
import { UsageError } from './usage-error';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export type ParseResult =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; values: OptionValues; positionals: string[] };

function isFlag(token: string): boolean {
  return token.startsWith('-') && token !== '-';
}

function isHelp(token: string): boolean {
  return token === '--help' || token === '-h';
}

/** Skips leading global flags (and --data-dir's value); returns the index of the next word, or -1. */
function nextWord(argv: readonly string[], from: number, context: string): number {
  let i = from;
  while (i < argv.length) {
    const t = argv[i]!;
    if (t === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!isFlag(t)) return i;
    if (t === '--data-dir') i += 2;
    else if (t.startsWith('--data-dir=') || t === '--json' || isHelp(t)) i += 1;
    else throw new UsageError(`${context}: ${t.split('=')[0]} stands after the command words`);
  }
  return -1;
}

/** Parses `signet …` arguments (without the node and script paths). Throws UsageError. */
export function parseCommandLine(argv: readonly string[]): ParseResult {
  const helpBeforeWords = (end: number) => argv.slice(0, end < 0 ? argv.length : end).some(isHelp);
  if (argv.length === 1 && argv[0] === '--version') return { kind: 'version' };
  const first = nextWord(argv, 0, 'signet');
  if (first < 0) {
    if (helpBeforeWords(first)) return { kind: 'help', text: mainUsage() };
    throw new UsageError('signet: give a command (signet --help lists them)');
  }
  const word = argv[first]!;
  let command: CommandSpec | undefined;
  let words = [first];
  if (word in COMMAND_GROUPS) {
    const second = nextWord(argv, first + 1, `signet ${word}`);
    const sub = second < 0 ? undefined : argv[second];
    if (sub === undefined) {
      if (argv.slice(first + 1).some(isHelp)) return { kind: 'help', text: groupUsage(word) };
      throw new UsageError(`signet ${word}: give a subcommand (${COMMAND_GROUPS[word]})`);
    }
    command = COMMANDS.find((c) => c.name === `${word} ${sub}`);
    if (!command) {
      throw new UsageError(`signet ${word}: unknown subcommand “${sub}” (${COMMAND_GROUPS[word]})`);
    }
    words = [first, second];
  } else {
    command = COMMANDS.find((c) => c.name === word);
    if (!command)
      throw new UsageError(`signet: unknown command “${word}” (signet --help lists the commands)`);
  }
  const rest = argv.filter((_, i) => !words.includes(i));
  const dashDash = rest.indexOf('--');
  if ((dashDash < 0 ? rest : rest.slice(0, dashDash)).some(isHelp)) {
    return { kind: 'help', text: commandUsage(command) };
  }
  return { kind: 'run', command, ...parseCommandArgs(command, rest) };
}

/** Parses what follows the command words, strictly, against the command's flags plus the global ones. */
export function parseCommandArgs(
  command: CommandSpec,
  args: readonly string[],
): { values: OptionValues; positionals: string[] } {
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [
      name,
      { type: s.type, ...(s.multiple ? { multiple: true } : {}), ...(s.short ? { short: s.short } : {}) },
    ]),
  );
  const where = `signet ${command.name}`;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError(`${where}: ${describeParseError(err as Error & { code?: string })}`);
  }
  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const n = (seen.get(token.name) ?? 0) + 1;
    seen.set(token.name, n);
    if (n > 1 && !specs[token.name]?.multiple) {
      throw new UsageError(`${where}: --${token.name} is given more than once`);
    }
  }
  const { positionals } = parsed;
  const { min, max } = command.positionals;
  if (positionals.length < min) throw new UsageError(`${where}: ${command.positionals.missing}`);
  if (max !== null && positionals.length > max) {
    throw new UsageError(`${where}: unexpected argument “${positionals[max]}”`);
  }
  return { values: parsed.values as OptionValues, positionals };
}

function describeParseError(err: Error & { code?: string }): string {
  const flag = /'(-{1,2}[^'\s<]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag} (--help lists the flags)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      return `${flag} needs a value (for a value starting with "-" write ${flag}=VALUE)`;
    default:
      return err.message.split('\n')[0]!;
  }
}

// ---- Typed access to parsed values ----

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}
