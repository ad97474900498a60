/**
 * Every flag a command takes is in its usage line (`signet <command> --help`, the first line) and in the README's
 * command table, on the row that names the command: a script author reads one of the two, never the parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandUsage, groupUsage } from '../../src/cli/args';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** The README's "## Command line" section, up to the next second-level heading. */
function commandLineSection(): string {
  const start = README.indexOf('\n## Command line\n');
  expect(start, 'README.md has a "## Command line" section').toBeGreaterThan(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The README lines that name a command, also in the table's shorthand: `signet keys new\|list\|retire KID` names
 * `keys retire`, `signet private\|public …` names `public`.
 */
function readmeLinesOf(name: string): string[] {
  const [first, second] = name.split(' ') as [string, string | undefined];
  const alt = (word: string) => `(?:[\\w-]+\\\\\\|)*${escape(word)}(?:\\\\\\|[\\w-]+)*(?![\\w-])`;
  const re = new RegExp(`signet ${alt(first)}${second ? ` ${alt(second)}` : ''}`);
  return commandLineSection()
    .split('\n')
    .filter((line) => re.test(line));
}

describe('signet usage and README', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: its usage line names every flag', (_, command) => {
    const usageLine = commandUsage(command).split('\n')[0]!;
    for (const name of Object.keys(command.options)) {
      expect(usageLine, `--${name} in the usage line of signet ${command.name}`).toMatch(
        new RegExp(`--${escape(name)}(?![\\w-])`),
      );
    }
    // The group's usage (`signet links --help`) shows the same line.
    const [group] = command.name.split(' ');
    if (command.name.includes(' ')) {
      expect(groupUsage(group!)).toContain(
        `signet ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`,
      );
    }
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s: the README row names it and every flag',
    (_, command) => {
      const lines = readmeLinesOf(command.name);
      expect(lines.length, `a README line names signet ${command.name}`).toBeGreaterThan(0);
      for (const name of Object.keys(command.options)) {
        expect(
          lines.some((l) => new RegExp(`--${escape(name)}(?![\\w-])`).test(l)),
          `the README row of signet ${command.name} names --${name}`,
        ).toBe(true);
      }
    },
  );
});
