/**
 * One JSON object per line. Request lines (level info) go to stdout; warnings and errors to stderr.
 * What is logged about a request is chosen by the server (route template, status, outcome, jti, kid):
 * never the token, its MAC, the query string or a secret.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LogSinks {
  out: (line: string) => void;
  err: (line: string) => void;
}

const processSinks: LogSinks = {
  out: (line) => void process.stdout.write(line),
  err: (line) => void process.stderr.write(line),
};

export function isLogLevel(v: string): v is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(v);
}

export function createLogger(level: LogLevel = 'info', sinks: LogSinks = processSinks): Logger {
  const min = RANK[level];
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields): void => {
    if (RANK[lvl] < min) return;
    const line = `${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`;
    (RANK[lvl] >= RANK.warn ? sinks.err : sinks.out)(line);
  };
  return {
    level,
    enabled: (lvl) => RANK[lvl] >= min,
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/** An error's name, code and message for a log line (no stack: one line per event). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    return { error: err.message, errorName: err.name, errorCode: (err as NodeJS.ErrnoException).code };
  }
  return { error: String(err) };
}
