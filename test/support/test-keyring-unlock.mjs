#!/usr/bin/env node
/**
 * Unlocks the private test keyring's login collection (scripts/with-test-keyring.sh starts it unlocked with the
 * password "signet-test") through gnome-keyring-daemon's control socket, as pam_gnome_keyring does at login: the
 * Secret Service's own Unlock asks a prompter, and the test session has no display for one.
 *   node test/support/test-keyring-unlock.mjs                       unlock now; exit 0 when the daemon agreed
 *   node test/support/test-keyring-unlock.mjs --after-exit-of PID   wait until process PID is gone, then unlock
 * The second form is the watchdog test/support/test-keyring.ts starts before it locks the keyring: a test process
 * that dies while the keyring is locked does not leave it locked for the files after it.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';

const PASSWORD = process.env.SIGNET_TEST_KEYRING_PASSWORD ?? 'signet-test';
/** gkd-control-codes.h: GKD_CONTROL_OP_UNLOCK, GKD_CONTROL_RESULT_OK. */
const OP_UNLOCK = 1;
const RESULT_OK = 0;

function controlSocket() {
  const dir =
    process.env.GNOME_KEYRING_CONTROL ||
    (process.env.XDG_RUNTIME_DIR ? join(process.env.XDG_RUNTIME_DIR, 'keyring') : null);
  if (!dir) throw new Error('neither GNOME_KEYRING_CONTROL nor XDG_RUNTIME_DIR is set');
  return join(dir, 'control');
}

/** One request: a credentials byte, then [length][op][password as length + bytes], all big-endian uint32. */
function unlock() {
  return new Promise((resolve, reject) => {
    const secret = Buffer.from(PASSWORD, 'utf8');
    const packet = Buffer.alloc(12 + secret.length);
    packet.writeUInt32BE(packet.length, 0);
    packet.writeUInt32BE(OP_UNLOCK, 4);
    packet.writeUInt32BE(secret.length, 8);
    secret.copy(packet, 12);
    let answer = Buffer.alloc(0);
    const socket = createConnection(controlSocket());
    socket.setTimeout(10_000, () =>
      socket.destroy(new Error('no answer from gnome-keyring-daemon within 10 s')),
    );
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([0]), packet])));
    socket.on('data', (d) => {
      answer = Buffer.concat([answer, d]);
      if (answer.length >= 8) {
        socket.end();
        const result = answer.readUInt32BE(4);
        if (result === RESULT_OK) resolve();
        else reject(new Error(`gnome-keyring-daemon refused to unlock (result ${result})`));
      }
    });
    socket.on('error', reject);
  });
}

const i = process.argv.indexOf('--after-exit-of');
if (i >= 0) {
  const pid = Number(process.argv[i + 1]);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (alive()) await new Promise((r) => setTimeout(r, 100));
}
try {
  await unlock();
} catch (err) {
  process.stderr.write(`test-keyring-unlock: ${err.message}\n`);
  process.exit(1);
}
