import type { SettingsRepository } from '../../repositories/settings-repository';
import type { Clock } from '../clock';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings-service';
import type { TaskRegistry } from '../tasks';
import type { WatchService, WatchSummary } from './watch-service';

/** The task id of a pass the desktop app runs: the window shows it with progress, `tasks:cancel` stops it. */
export const LEAK_WATCH_TASK = 'watch:leaks';
/** Where the time of the last finished pass is kept (a row of the settings table, not a preference). */
export const LAST_WATCH_SETTING = 'lastWatchAt';
/** How long after start the first look at the clock waits, so opening the app does not wait on the storage. */
const FIRST_LOOK_MS = 30_000;
/** How often the timer looks whether a pass is due: a changed pace takes effect within this. */
const LOOK_EVERY_MS = 60_000;

/**
 * Runs the leak watch while the desktop app is open: every `watchEveryMinutes` (Settings), and at start when the
 * last pass is older than that. A pass is a task (progress in the window, cancellable); a leak it finds is told
 * through the notifier, and every answer lands in the catalog, where the Library shows leaks and filters them.
 */
export class LeakWatchTimer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<WatchSummary> | null = null;

  constructor(
    private readonly deps: {
      watch: WatchService;
      settings: SettingsService;
      state: SettingsRepository;
      tasks: TaskRegistry;
      notifier: Notifier | null;
      clock: Clock;
      onError?: (err: unknown) => void;
    },
  ) {}

  start(firstLookMs = FIRST_LOOK_MS, everyMs = LOOK_EVERY_MS): void {
    if (this.timer) return;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.runIfDue()
          .catch((err: unknown) => this.deps.onError?.(err))
          .finally(() => {
            if (this.timer) tick(everyMs);
          });
      }, delay);
      this.timer.unref();
    };
    tick(firstLookMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** When the last pass finished, or null when none has. */
  lastPassAt(): string | null {
    const v = this.deps.state.readAll()[LAST_WATCH_SETTING];
    return typeof v === 'string' ? v : null;
  }

  /** A pass when one is due (the watch on, and the last pass older than its pace); null when none ran. */
  async runIfDue(): Promise<WatchSummary | null> {
    const every = this.deps.settings.get().watchEveryMinutes;
    if (every === 0) return null;
    const last = this.lastPassAt();
    const due = last === null || this.deps.clock.now().getTime() - Date.parse(last) >= every * 60_000;
    return due ? this.runNow() : null;
  }

  /** One pass now (one already under way is joined, not doubled). */
  runNow(): Promise<WatchSummary> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<WatchSummary> {
    const summary = await this.deps.tasks.run(
      LEAK_WATCH_TASK,
      'Leak watch',
      (ctx) => this.deps.watch.pass({ signal: ctx.signal, onProgress: (p) => ctx.progress(p) }),
      (s) =>
        s.leaks.length
          ? `${s.leaks.length} file(s) held as not public can be downloaded by anyone.`
          : `${s.checked} linked file(s) checked: none readable by strangers.`,
    );
    this.deps.state.saveMany([[LAST_WATCH_SETTING, summary.at]], summary.at);
    if (summary.leaks.length && this.deps.notifier) {
      const first = summary.leaks[0]!;
      this.deps.notifier.notify({
        title:
          summary.leaks.length === 1
            ? 'A protected file can be downloaded by anyone'
            : `${summary.leaks.length} protected files can be downloaded by anyone`,
        body:
          `“${first.key}” in “${first.bucket}” answered a stranger` +
          (summary.leaks.length > 1 ? `, and ${summary.leaks.length - 1} more` : '') +
          '. Open the Library and press Show leaks to make them private.',
      });
    }
    return summary;
  }
}
