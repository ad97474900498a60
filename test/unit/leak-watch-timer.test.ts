import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/db/database';
import { SettingsRepository } from '../../src/main/repositories/settings-repository';
import { ActivityRepository } from '../../src/main/repositories/activity-repository';
import { ActivityService } from '../../src/main/services/activity-service';
import {
  LAST_WATCH_SETTING,
  LEAK_WATCH_TASK,
  LeakWatchTimer,
} from '../../src/main/services/library/leak-watch-timer';
import type { WatchService, WatchSummary } from '../../src/main/services/library/watch-service';
import type { Notice } from '../../src/main/services/notifier';
import { SettingsService } from '../../src/main/services/settings-service';
import { TaskRegistry } from '../../src/main/services/tasks';
import { SettingsPatchSchema } from '../../src/shared/settings';

const dbs: Db[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

const LEAK = {
  account: 'Shop',
  bucket: 'media',
  key: 'products/a.zip',
  access: 'private' as const,
  status: 200,
  leak: true,
};

/** The timer over a real settings table and task registry, with a stand-in watch that records its passes. */
function setup(leaks: (typeof LEAK)[] = []) {
  const db = openDatabase(':memory:');
  dbs.push(db);
  let now = new Date('2026-12-07T10:00:00.000Z');
  const clock = { now: () => now };
  const activity = new ActivityService(new ActivityRepository(db), clock);
  const state = new SettingsRepository(db);
  const settings = new SettingsService(state, activity, clock);
  const passes: number[] = [];
  const watch = {
    pass: async (): Promise<WatchSummary> => {
      passes.push(now.getTime());
      await new Promise((r) => setTimeout(r, 5));
      return { checked: 3, leaks, problems: [], unreachable: 0, seconds: 0.1, at: now.toISOString() };
    },
  } as unknown as WatchService;
  const notices: Notice[] = [];
  const events: { taskId: string; state: string }[] = [];
  const timer = new LeakWatchTimer({
    watch,
    settings,
    state,
    tasks: new TaskRegistry((p) => events.push({ taskId: p.taskId, state: p.state })),
    notifier: { notify: (n) => notices.push(n) },
    clock,
  });
  const advance = (minutes: number) => (now = new Date(now.getTime() + minutes * 60_000));
  return { timer, settings, passes, notices, events, advance, state };
}

describe('the leak watch on its pace (desktop app)', () => {
  it('runs a first pass at once, then only when the pace has passed, and records when', async () => {
    const { timer, passes, advance, events, state } = setup();
    expect(timer.lastPassAt()).toBeNull();
    expect(await timer.runIfDue()).toMatchObject({ checked: 3 });
    expect(passes).toHaveLength(1);
    expect(state.readAll()[LAST_WATCH_SETTING]).toBe('2026-12-07T10:00:00.000Z');
    expect(events.map((e) => `${e.taskId}:${e.state}`)).toEqual([
      `${LEAK_WATCH_TASK}:running`,
      `${LEAK_WATCH_TASK}:done`,
    ]);

    advance(6 * 60 - 1); // the default pace is 6 h
    expect(await timer.runIfDue()).toBeNull();
    advance(1);
    expect(await timer.runIfDue()).toMatchObject({ checked: 3 });
    expect(passes).toHaveLength(2);
  });

  it('does nothing when turned off, and follows a changed pace', async () => {
    const { timer, settings, passes, advance } = setup();
    settings.update({ watchEveryMinutes: 0 });
    expect(await timer.runIfDue()).toBeNull();
    expect(passes).toHaveLength(0);
    settings.update({ watchEveryMinutes: 15 });
    await timer.runIfDue();
    advance(15);
    await timer.runIfDue();
    expect(passes).toHaveLength(2);
  });

  it('joins a pass under way instead of starting a second', async () => {
    const { timer, passes } = setup();
    const [a, b] = await Promise.all([timer.runNow(), timer.runNow()]);
    expect(a).toBe(b);
    expect(passes).toHaveLength(1);
  });

  it('tells the owner of a leak through the notifier, and stays quiet without one', async () => {
    const leaky = setup([LEAK, { ...LEAK, key: 'products/b.zip' }]);
    await leaky.timer.runNow();
    expect(leaky.notices).toEqual([
      {
        title: '2 protected files can be downloaded by anyone',
        body: '“products/a.zip” in “media” answered a stranger, and 1 more. Open the Library and press Show leaks to make them private.',
      },
    ]);
    const quiet = setup();
    await quiet.timer.runNow();
    expect(quiet.notices).toEqual([]);
  });

  it('refuses a pace below 15 minutes (the window and the command line parse with this schema)', () => {
    const refused = SettingsPatchSchema.safeParse({ watchEveryMinutes: 5 });
    expect(refused.error?.issues[0]?.message).toBe(
      'Run the leak watch at most every 15 minutes, or turn it off',
    );
    expect(SettingsPatchSchema.safeParse({ watchEveryMinutes: 0 }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ watchEveryMinutes: 15 }).success).toBe(true);
  });
});
