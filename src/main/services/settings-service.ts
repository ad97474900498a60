import { SETTING_KEYS, SettingsSchema, type Settings, type SettingsPatch } from '@shared/settings';
import type { SettingsRepository } from '../repositories/settings-repository';
import type { ActivityService } from './activity-service';
import type { Clock } from './clock';

const LABELS: Record<keyof Settings, string> = {
  defaultLinkExpiryHours: 'Default link lifetime',
  defaultMaxDownloads: 'Default download limit',
  verifierBaseUrl: 'Verifier address',
  verifierAdminUrl: 'Verifier admin API address',
  shareNetworks: 'Share guard places',
  shareAction: 'Share guard action',
  watchEveryMinutes: 'Leak watch pace (minutes)',
  confirmBulkChanges: 'Confirm bulk changes',
  theme: 'Theme',
};

export class SettingsService {
  constructor(
    private readonly repo: SettingsRepository,
    private readonly activity: ActivityService,
    private readonly clock: Clock,
  ) {}

  /** Stored values over defaults; a stored value that no longer validates falls back to its default. */
  get(): Settings {
    const stored = this.repo.readAll();
    const merged: Record<string, unknown> = {};
    for (const key of SETTING_KEYS) {
      if (!(key in stored)) continue;
      const field = SettingsSchema.shape[key].safeParse(stored[key]);
      if (field.success) merged[key] = field.data;
    }
    return SettingsSchema.parse(merged);
  }

  /**
   * Settings saved earlier that today's rules refuse (get() answers their defaults instead): an admin API address
   * saved as plain http:// to another computer, say. The admin client asks, rather than send the token elsewhere.
   */
  refusedStored(): (keyof Settings)[] {
    const stored = this.repo.readAll();
    return SETTING_KEYS.filter(
      (key) => key in stored && !SettingsSchema.shape[key].safeParse(stored[key]).success,
    );
  }

  /** Saves only the fields that changed, in one transaction, and logs them in the activity log. */
  update(patch: SettingsPatch): Settings {
    const current = this.get();
    const changed = (Object.entries(patch) as [keyof Settings, unknown][]).filter(
      ([key, value]) => value !== undefined && JSON.stringify(current[key]) !== JSON.stringify(value),
    );
    if (changed.length > 0) {
      this.repo.saveMany(changed, this.clock.now().toISOString());
      this.activity.record('settings', `Changed ${changed.map(([key]) => LABELS[key]).join(', ')}.`);
    }
    return this.get();
  }
}
