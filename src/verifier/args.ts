/** Command line of `signet-verifier` (src/verifier/cli.ts). */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

import { isLogLevel, LOG_LEVELS, type LogLevel } from './log';

export const USAGE = `Usage: signet-verifier --config <file> [--workers N] [--log-level LEVEL | --quiet]

  -c, --config <file>    JSON configuration (env SIGNET_VERIFIER_CONFIG)
  -w, --workers <N>      worker processes sharing the port (default: number of CPUs,
                         env SIGNET_VERIFIER_WORKERS); 1 runs a single process
      --log-level <L>    ${LOG_LEVELS.join(' | ')} (default info: one JSON line per request;
                         env SIGNET_VERIFIER_LOG_LEVEL)
  -q, --quiet            same as --log-level warn (no request lines)
  -h, --help             this text

Secrets may come from the environment instead of the file: SIGNET_VERIFIER_KEYS (JSON object
kid -> secret), SIGNET_VERIFIER_ADMIN_TOKEN, SIGNET_VERIFIER_REDIS_URL,
SIGNET_STORE_<NAME>_ACCESS_KEY_ID and SIGNET_STORE_<NAME>_SECRET_ACCESS_KEY.
`;

export interface CliArgs {
  help: boolean;
  config: string;
  workers: number;
  logLevel: LogLevel;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const MAX_WORKERS = 64;

export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        workers: { type: 'string', short: 'w' },
        'log-level': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return { help: true, config: '', workers: 1, logLevel: 'info' };

  const config = values.config ?? env.SIGNET_VERIFIER_CONFIG;
  if (!config) throw new UsageError('--config <file> is required');

  const workersText = values.workers ?? env.SIGNET_VERIFIER_WORKERS;
  let workers = availableParallelism();
  if (workersText !== undefined && workersText !== '') {
    if (!/^\d+$/.test(workersText) || Number(workersText) < 1 || Number(workersText) > MAX_WORKERS) {
      throw new UsageError(`--workers must be an integer from 1 to ${MAX_WORKERS}`);
    }
    workers = Number(workersText);
  }

  let logLevel: LogLevel = 'info';
  const level = values['log-level'] ?? env.SIGNET_VERIFIER_LOG_LEVEL;
  if (values.quiet) logLevel = 'warn';
  else if (level !== undefined && level !== '') {
    if (!isLogLevel(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    logLevel = level;
  }
  return { help: false, config, workers, logLevel };
}
