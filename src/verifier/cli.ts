/**
 * `signet-verifier --config <file> [--workers N] [--log-level L | --quiet]`
 * (built to out/verifier/cli.js by vite.verifier.config.ts).
 *
 * Prints `Signet verifier listening on http://HOST:PORT` on stdout once it accepts requests (with the
 * real port when the config says 0). Exit codes: 0 after SIGTERM/SIGINT, 1 when it cannot start
 * (port taken, state backend unreachable), 2 for a bad command line or configuration.
 */
import cluster from 'node:cluster';

import { parseCliArgs, UsageError, USAGE } from './args';
import { runPrimary, runWorker } from './cluster';
import { ConfigError, loadConfigFile, type VerifierConfig } from './config';
import { createLogger, errorFields, type Logger } from './log';
import { startVerifier } from './server';
import { describeState } from './state';

async function runSingle(config: VerifierConfig, logger: Logger): Promise<void> {
  const verifier = await startVerifier(config, { logger });
  process.stdout.write(`Signet verifier listening on ${verifier.url}\n`);
  if (verifier.adminUrl)
    process.stdout.write(`Signet verifier admin API and metrics on ${verifier.adminUrl}\n`);
  logger.info('started', { workers: 1, state: describeState(config.state), pid: process.pid });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    void verifier.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('stop failed', errorFields(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`signet-verifier: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  let config: VerifierConfig;
  try {
    config = loadConfigFile(args.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Only the primary reports it: workers load the same file after it was accepted.
    process.stderr.write(`signet-verifier: ${err.message}\n`);
    process.exit(2);
  }
  if (args.workers > 1 && config.adminListen?.port === 0) {
    // Cluster workers share listeners by address and port: two port-0 listeners would be one.
    process.stderr.write('signet-verifier: config: adminListen.port: 0 needs --workers 1; give a port\n');
    process.exit(2);
  }
  const logger = createLogger(args.logLevel);
  if (args.workers <= 1) return runSingle(config, logger);
  if (cluster.isPrimary) return runPrimary(config, args.workers, logger);
  return runWorker(config, logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`signet-verifier: cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
