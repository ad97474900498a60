/**
 * Tests that write to the keychain must run inside scripts/with-test-keyring.sh: a private D-Bus session with a
 * throwaway GNOME Keyring. Outside it, keytar would talk to whatever session bus exists, that is, the
 * developer's own keyring. It throws (the file fails, nothing is written) unless the private keyring is the one
 * in use. Called for every integration and browser test file by test/support/keyring-setup.ts (the vitest
 * setup file of both configs), again by the harnesses that open the keychain (startHarness, startApp), and at
 * the top of test files that load keytar themselves, so no single forgotten call opens the developer's keyring.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export function requirePrivateTestKeyring(env: NodeJS.ProcessEnv = process.env): void {
  const home = env['SIGNET_KEYRING_HOME'];
  const inWrapper = env['SIGNET_IN_TEST_KEYRING'] === '1' && Boolean(home);
  // The wrapper started its own bus (and named it) and points the keyring's folders into its temp home.
  const privateDaemon =
    inWrapper &&
    Boolean(env['DBUS_SESSION_BUS_ADDRESS']) &&
    env['DBUS_SESSION_BUS_ADDRESS'] === env['SIGNET_TEST_DBUS_ADDRESS'] &&
    (env['XDG_RUNTIME_DIR'] ?? '').startsWith(`${home}${sep}`) &&
    (env['XDG_DATA_HOME'] ?? '').startsWith(`${home}${sep}`);
  if (!privateDaemon) {
    throw new Error(
      'Refusing to run: this test writes to the keychain and is not inside the private test keyring, so it ' +
        'would write to your own. Run it through scripts/with-test-keyring.sh (npm test does).',
    );
  }
}

const LOGIN_COLLECTION = '/org/freedesktop/secrets/collection/login';
const UNLOCK_SCRIPT = fileURLToPath(new URL('./test-keyring-unlock.mjs', import.meta.url));
/** The watchdog of the current lock (see lockTestKeyring), ended by unlockTestKeyring. */
let watchdog: ChildProcess | null = null;

function gdbus(args: string[]): string {
  return execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.secrets', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
  });
}

/** Whether the test keyring's login collection (where keytar writes) is locked, as the Secret Service says. */
export function testKeyringLocked(): boolean {
  requirePrivateTestKeyring();
  const answer = gdbus([
    '--object-path',
    LOGIN_COLLECTION,
    '--method',
    'org.freedesktop.DBus.Properties.Get',
    'org.freedesktop.Secret.Collection',
    'Locked',
  ]).trim();
  if (answer === '(<true>,)') return true;
  if (answer === '(<false>,)') return false;
  throw new Error(`unexpected answer to Collection.Locked: ${answer}`);
}

/**
 * Locks the private test keyring for real (Secret Service `Lock` on the login collection), as a screen lock or
 * the user does: what keytar then gets is what the app gets from a locked keychain. Call unlockTestKeyring
 * afterwards (in a `finally`); in case this process dies first, a watchdog process unlocks it once this
 * process is gone.
 */
export function lockTestKeyring(): void {
  requirePrivateTestKeyring();
  if (watchdog === null) {
    watchdog = spawn(process.execPath, [UNLOCK_SCRIPT, '--after-exit-of', String(process.pid)], {
      detached: true,
      stdio: 'ignore',
      env: process.env,
    });
    watchdog.unref();
  }
  gdbus([
    '--object-path',
    '/org/freedesktop/secrets',
    '--method',
    'org.freedesktop.Secret.Service.Lock',
    `['${LOGIN_COLLECTION}']`,
  ]);
  if (!testKeyringLocked()) throw new Error('the test keyring did not lock');
}

/** Unlocks the test keyring (see test-keyring-unlock.mjs) and ends the watchdog of lockTestKeyring. */
export function unlockTestKeyring(): void {
  requirePrivateTestKeyring();
  execFileSync(process.execPath, [UNLOCK_SCRIPT], { env: process.env, timeout: 15_000 });
  if (testKeyringLocked()) throw new Error('the test keyring is still locked');
  if (watchdog?.pid !== undefined && watchdog.exitCode === null) watchdog.kill();
  watchdog = null;
}

/** A second private keyring: another D-Bus session with its own throwaway GNOME Keyring ("another computer"). */
export interface SecondKeyring {
  /** What a child process needs in its environment to use this keyring instead of the test's own. */
  env: Record<string, string>;
  /** Every entry of a service, read by a child process on this keyring (values included). */
  entries(service: string): Record<string, string>;
  stop(): void;
}

/**
 * Starts a second private keyring beside the test's own, as scripts/with-test-keyring.sh starts the first: for
 * tests of moving to a new computer (backup on one keychain, restore on another). Only inside the first.
 */
export async function startSecondKeyring(): Promise<SecondKeyring> {
  requirePrivateTestKeyring();
  const home = mkdtempSync(join(tmpdir(), 'signet-keyring2-'));
  const child = spawn(
    'dbus-run-session',
    [
      '--',
      'bash',
      '-c',
      `export XDG_DATA_HOME="$0/data" XDG_RUNTIME_DIR="$0/run"
       mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
       eval "$(printf signet-test-2 | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
       echo "$DBUS_SESSION_BUS_ADDRESS"
       exec sleep infinity`,
      home,
    ],
    // Its own process group, so stopping it ends the bus, the keyring daemon and the shell together.
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true },
  );
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`the second keyring did not start (exit ${code})`)));
  });
  const env = {
    DBUS_SESSION_BUS_ADDRESS: address,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: join(home, 'run'),
  };
  if (address === process.env['DBUS_SESSION_BUS_ADDRESS']) throw new Error('the second keyring is the first');
  return {
    env,
    entries(service) {
      const script =
        "const k=require('keytar');k.findCredentials(process.argv[1]).then(c=>process.stdout.write(JSON.stringify(Object.fromEntries(c.map(e=>[e.account,e.password])))))";
      const out = execFileSync(process.execPath, ['-e', script, service], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return JSON.parse(out) as Record<string, string>;
    },
    stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
