/**
 * Who runs a job: one process at a time, by a lease in the jobs table (an owner 'host:pid' and a time it holds
 * the job until), renewed while it runs. Times are the injected clock's, so every lease a process writes and
 * reads is on one clock.
 */
import { hostname } from 'node:os';
import type { JobRecord, JobRepository } from '../../repositories/job-repository';
import { nowMs, type Clock } from '../clock';

/** A runner holds a job this long without renewing; past it, another process may take the job over. */
export const LEASE_MS = 20_000;
/** How often a runner renews its lease (well within LEASE_MS, so a live runner never loses its job). */
export const RENEW_MS = 5_000;
/** How often a runner looks whether another process paused or cancelled its job. */
const STATE_POLL_MS = 1_000;

export interface LeaseDeps {
  jobs: JobRepository;
  clock: Clock;
  /** This process, as written in a job it runs ('host:pid'). */
  owner?: string;
  /** Whether a process of this computer still runs (a job held by a dead one is taken over at once). */
  isAlive?: (pid: number) => boolean;
}

export class JobLeases {
  readonly owner: string;
  private readonly isAlive: (pid: number) => boolean;

  constructor(private readonly deps: LeaseDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}`;
    this.isAlive = deps.isAlive ?? processAlive;
  }

  /** Until when a lease taken or renewed now holds. */
  until(): number {
    return nowMs(this.deps.clock) + LEASE_MS;
  }

  /** Takes the job for this process; answers whether it got it. */
  claim(job: JobRecord, at: string): boolean {
    const now = nowMs(this.deps.clock);
    return this.deps.jobs.claim(job.id, this.owner, now + LEASE_MS, now, this.deadOwner(job), at);
  }

  /** Holds the job longer; false: this process no longer holds it (another took it over). */
  renew(id: number): boolean {
    return this.deps.jobs.renew(id, this.owner, this.until());
  }

  /**
   * While a run of job `id` goes on: every second, whether another process paused or cancelled the job (the run
   * is told so through `controller`), and every few seconds the lease renewed (lost to another process: the run
   * stops as it does when the app quits). Nothing once `closing()`: the process hands its jobs back.
   */
  watch(id: number, controller: AbortController, closing: () => boolean): { stop(): void } {
    let lastRenew = nowMs(this.deps.clock);
    const timer = setInterval(() => {
      if (closing()) return;
      const state = this.deps.jobs.get(id)?.state;
      if (state === 'paused') controller.abort('pause');
      else if (state === 'cancelled') controller.abort('cancel');
      if (nowMs(this.deps.clock) - lastRenew >= RENEW_MS) {
        lastRenew = nowMs(this.deps.clock);
        if (!this.renew(id)) controller.abort('shutdown');
      }
    }, STATE_POLL_MS);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /**
   * A job nobody live holds: no owner, an expired lease, or an owner process of this computer that is gone. A
   * job this process holds is claimable only when no run of it is going here (`runningHere`).
   */
  claimable(j: JobRecord, runningHere: boolean): boolean {
    if (!j.owner) return true;
    if (j.owner === this.owner) return !runningHere;
    if ((j.leaseUntil ?? 0) < nowMs(this.deps.clock)) return true;
    return this.deadOwner(j) !== null;
  }

  /** The job's owner when it is a process of this computer that no longer runs; else null. */
  private deadOwner(j: JobRecord): string | null {
    if (!j.owner || j.owner === this.owner) return null;
    const cut = j.owner.lastIndexOf(':');
    const host = j.owner.slice(0, cut);
    const pid = Number(j.owner.slice(cut + 1));
    if (host !== hostname() || !Number.isInteger(pid)) return null;
    return this.isAlive(pid) ? null : j.owner;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
