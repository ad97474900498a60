/**
 * `signet`'s command line, as the commands and tests import it. The code lives in ./args/: the command table
 * (commands.ts, with the spec types in command-spec.ts), the parsing (parse.ts), the value parsers (values.ts)
 * and the usage texts (usage.ts).
 */
export { UsageError } from './args/usage-error';
export { GLOBAL_OPTIONS, type CommandName, type CommandSpec, type OptionSpec } from './args/command-spec';
export { COMMANDS } from './args/commands';
export {
  flag,
  listOption,
  parseCommandArgs,
  parseCommandLine,
  stringOption,
  type OptionValues,
  type ParseResult,
} from './args/parse';
export {
  parseAccess,
  parseDuration,
  parseLinkExpiryHours,
  parseMaxDownloads,
  parseShareAction,
  parseShareNetworks,
  parseWatchEvery,
  type Duration,
} from './args/values';
export { commandUsage, groupUsage, mainUsage } from './args/usage';
