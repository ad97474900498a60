import type { SecretStore } from '../secret-store';
import type { SettingsService } from '../settings-service';
import type { LinkService } from './link-service';
import { VERIFIER_ADMIN_TOKEN_ENTRY } from './verifier-admin';

/** Links asked about per pass: 96,000 a day at the default pace, one admin request each. */
export const SHARE_CHECK_BATCH = 1000;
export const SHARE_CHECK_EVERY_MS = 15 * 60_000;
/** The first pass waits a little after start, so opening the app does not wait on the verifier. */
export const SHARE_CHECK_FIRST_MS = 60_000;

/**
 * While the desktop app is open, asks the verifier now and then about active links not yet seen shared (the
 * longest unchecked first), so a link posted on a forum is noticed without the owner pressing "Check downloads":
 * LinkService.usage records the answers and tells the owner through the notifier. Runs only when the share guard
 * is on and the verifier address and admin token are set; a verifier that does not answer is tried again at the
 * next pass, quietly (the ledger's own check shows the error).
 */
export class ShareWatch {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly deps: {
      links: LinkService;
      settings: SettingsService;
      secrets: SecretStore;
      everyMs?: number;
      firstAfterMs?: number;
      onError?: (err: unknown) => void;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    const every = this.deps.everyMs ?? SHARE_CHECK_EVERY_MS;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.runOnce()
          .catch((err: unknown) => this.deps.onError?.(err))
          .finally(() => {
            if (this.timer) tick(every);
          });
      }, delay);
      this.timer.unref();
    };
    tick(this.deps.firstAfterMs ?? SHARE_CHECK_FIRST_MS);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass (a pass already under way is joined, not doubled); answers how many links were asked about. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<number> {
    const settings = this.deps.settings.get();
    if (settings.shareNetworks === 0 || settings.verifierBaseUrl === '') return 0;
    if (!(await this.deps.secrets.list()).includes(VERIFIER_ADMIN_TOKEN_ENTRY)) return 0;
    return this.deps.links.checkDueForSharing(SHARE_CHECK_BATCH);
  }
}
