#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked GNOME Keyring, so keytar tests
# use a real Secret Service without touching the developer's own keychain.
#   scripts/with-test-keyring.sh npx vitest run
set -euo pipefail
if [ "${SIGNET_IN_TEST_KEYRING:-}" = 1 ]; then exec "$@"; fi
for bin in dbus-run-session gnome-keyring-daemon; do
  command -v "$bin" >/dev/null || { echo "$bin is missing: apt-get install dbus gnome-keyring (see README)" >&2; exit 1; }
done
home=$(mktemp -d -t signet-keyring-XXXXXX)
trap 'rm -rf "$home"' EXIT
export SIGNET_IN_TEST_KEYRING=1 SIGNET_KEYRING_HOME="$home"
exec dbus-run-session -- bash -c '
  export XDG_DATA_HOME="$SIGNET_KEYRING_HOME/data" XDG_RUNTIME_DIR="$SIGNET_KEYRING_HOME/run"
  # Names the private bus, so keychain tests can check they are on it (test/support/test-keyring.ts).
  export SIGNET_TEST_DBUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS"
  mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  eval "$(printf "signet-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL
  exec "$@"' signet-keyring "$@"
