/**
 * Vitest globalSetup: boots the Ceph S3 rig once for the whole run. It stops the rig at teardown only if
 * this run started it, so a developer can keep one running between runs (`bash scripts/ceph-rig.sh start`);
 * SIGNET_KEEP_CEPH=1 keeps it running in any case.
 */
import { isCephRunning, runCephRig } from './ceph';

export default async function setup(): Promise<() => Promise<void>> {
  const startedHere = !(await isCephRunning());
  if (startedHere) {
    const began = Date.now();
    await runCephRig('start');
    console.info(`[ceph] rig started in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  }

  return async () => {
    if (!startedHere || process.env.SIGNET_KEEP_CEPH === '1') return;
    await runCephRig('stop');
  };
}
