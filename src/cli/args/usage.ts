/** The usage texts of `signet`: the main one, one per command group and one per command (`--help`). */
import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec';
import { COMMANDS } from './commands';

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : ''}--${name}${s.value ? ` ${s.value}` : ''}`,
    s.help,
  ]);
  const width = Math.max(...rows.map(([a]) => a!.length));
  return rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`);
}

export function commandUsage(c: CommandSpec): string {
  return [
    `Usage: signet ${c.name}${c.synopsis ? ` ${c.synopsis}` : ''} [--json] [--data-dir DIR]`,
    '',
    c.summary,
    '',
    ...(Object.keys(c.options).length ? ['Options:', ...optionLines(c.options), ''] : []),
    'Common options:',
    ...optionLines(GLOBAL_OPTIONS),
    ...(c.details ? ['', ...c.details] : []),
    '',
  ].join('\n');
}

export function groupUsage(group: string): string {
  const cmds = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: signet ${group} <${cmds.map((c) => c.name.split(' ')[1]).join('|')}> …`,
    '',
    ...cmds.map((c) => `  signet ${c.name}${c.synopsis ? ` ${c.synopsis}` : ''}`),
    '',
    `signet ${group} <subcommand> --help describes each.`,
    '',
  ].join('\n');
}

export function mainUsage(): string {
  return [
    'Usage: signet <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(16)} ${c.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'Common options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'signet <command> --help describes each command. Exit status: 0 ok, 1 something failed or a check',
    'found a problem, 2 bad usage.',
    '',
  ].join('\n');
}
