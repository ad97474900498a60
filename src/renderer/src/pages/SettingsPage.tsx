import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  NumberInput,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import { useEffect } from 'react';
import {
  DEFAULT_MAX_DOWNLOADS_DEFAULT,
  DEFAULT_MAX_DOWNLOADS_MAX,
  DEFAULT_MAX_DOWNLOADS_MIN,
  LINK_EXPIRY_MAX_HOURS,
  LINK_EXPIRY_MIN_HOURS,
  verifierAddressProblem,
  type Settings,
  type SettingsPatch,
} from '@shared/settings';
import { BackupCard } from '../components/BackupCard';
import { KeychainCard } from '../components/KeychainCard';
import { LinkKeysCard } from '../components/links/LinkKeysCard';
import { ShareGuardCard, shareNetworksProblem } from '../components/links/ShareGuardCard';
import { LeakWatchCard } from '../components/library/LeakWatchCard';
import { ApiError } from '../lib/api';
import { useSettings, useUpdateSettings } from '../lib/queries';

export function SettingsPage() {
  const settings = useSettings();
  return (
    <Stack maw={720} gap="lg">
      <div>
        <Title order={2}>Settings</Title>
        <Text c="dimmed">Defaults for new download links, and how Signet behaves.</Text>
      </div>
      {settings.isPending ? (
        <Loader size="sm" />
      ) : settings.isError ? (
        <Alert color="red" title="Could not load your settings">
          {settings.error.message}
        </Alert>
      ) : (
        <SettingsForm initial={settings.data} />
      )}
      <LinkKeysCard />
      <BackupCard />
      <KeychainCard />
    </Stack>
  );
}

function SettingsForm({ initial }: { initial: Settings }) {
  const update = useUpdateSettings();
  const form = useForm<Settings>({
    initialValues: initial,
    validate: {
      defaultLinkExpiryHours: (v) =>
        Number.isInteger(v) && v >= LINK_EXPIRY_MIN_HOURS && v <= LINK_EXPIRY_MAX_HOURS
          ? null
          : `Between ${LINK_EXPIRY_MIN_HOURS} and ${LINK_EXPIRY_MAX_HOURS} hours`,
      defaultMaxDownloads: (v) =>
        v === null ||
        (Number.isInteger(v) && v >= DEFAULT_MAX_DOWNLOADS_MIN && v <= DEFAULT_MAX_DOWNLOADS_MAX)
          ? null
          : `${DEFAULT_MAX_DOWNLOADS_MIN} to ${DEFAULT_MAX_DOWNLOADS_MAX}`,
      // The schema's own rule (main checks it again): https://, or http:// only to this computer.
      verifierBaseUrl: (v) => (v.trim() === '' ? null : verifierAddressProblem(v.trim())),
      verifierAdminUrl: (v) => (v.trim() === '' ? null : verifierAddressProblem(v.trim())),
      shareNetworks: shareNetworksProblem,
    },
  });

  // When the saved settings change (saved here or elsewhere), start from them again.
  useEffect(() => {
    form.setInitialValues(initial);
    form.setValues(initial);
    form.resetDirty(initial);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initial]);

  const save = form.onSubmit((values) => {
    const patch: SettingsPatch = {};
    for (const key of Object.keys(values) as (keyof Settings)[]) {
      if (form.isDirty(key)) Object.assign(patch, { [key]: values[key] });
    }
    update.mutate(patch, {
      onSuccess: () =>
        notifications.show({ color: 'teal', icon: <IconCheck size={18} />, message: 'Settings saved.' }),
      onError: (err) => {
        if (err instanceof ApiError && err.issues.length > 0) {
          form.setErrors(Object.fromEntries(err.issues.map((i) => [i.path, i.message])));
        }
      },
    });
  });

  const limited = form.values.defaultMaxDownloads !== null;

  return (
    <form onSubmit={save} aria-label="Settings">
      <Stack gap="lg">
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>New download links</Title>
            <NumberInput
              label="Link lifetime (hours)"
              description={lifetimeHint(form.values.defaultLinkExpiryHours)}
              min={LINK_EXPIRY_MIN_HOURS}
              max={LINK_EXPIRY_MAX_HOURS}
              allowDecimal={false}
              {...form.getInputProps('defaultLinkExpiryHours')}
            />
            <Switch
              label="Limit how many times a link can be downloaded"
              checked={limited}
              onChange={(e) =>
                form.setFieldValue(
                  'defaultMaxDownloads',
                  e.currentTarget.checked ? DEFAULT_MAX_DOWNLOADS_DEFAULT : null,
                )
              }
            />
            {limited && (
              <NumberInput
                label="Downloads per link"
                description="A customer who needs more can ask you for a new link."
                min={DEFAULT_MAX_DOWNLOADS_MIN}
                max={DEFAULT_MAX_DOWNLOADS_MAX}
                allowDecimal={false}
                {...form.getInputProps('defaultMaxDownloads')}
              />
            )}
            <TextInput
              label="Verifier address"
              description="Where your shop's Signet verifier answers, for example https://shop.example.com. Links point there."
              placeholder="https://shop.example.com"
              {...form.getInputProps('verifierBaseUrl')}
            />
            <TextInput
              label="Admin API address (optional)"
              description="Only if your verifier's admin API listens on its own address, e.g. http://127.0.0.1:8788"
              placeholder="Same as the verifier address"
              {...form.getInputProps('verifierAdminUrl')}
            />
          </Stack>
        </Card>
        <ShareGuardCard form={form} />
        <LeakWatchCard form={form} />
        <Card withBorder padding="lg">
          <Stack>
            <Title order={4}>Behaviour</Title>
            <Switch
              label="Ask before changing many files at once"
              description="A confirmation appears before bulk changes such as making files private."
              {...form.getInputProps('confirmBulkChanges', { type: 'checkbox' })}
            />
            <div>
              <Text size="sm" fw={500} mb={4}>
                Appearance
              </Text>
              <SegmentedControl
                aria-label="Appearance"
                data={[
                  { value: 'auto', label: 'Follow system' },
                  { value: 'light', label: 'Light' },
                  { value: 'dark', label: 'Dark' },
                ]}
                {...form.getInputProps('theme')}
              />
            </div>
          </Stack>
        </Card>
        {update.isError && !(update.error instanceof ApiError && update.error.issues.length > 0) && (
          <Alert color="red" title="Your settings were not saved">
            {update.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" disabled={!form.isDirty()} onClick={() => form.reset()}>
            Discard changes
          </Button>
          <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function lifetimeHint(hours: number): string {
  if (!Number.isFinite(hours) || hours < 1) return 'How long a new link works.';
  const days = hours / 24;
  return hours >= 24 && Number.isInteger(days)
    ? `New links work for ${days} day${days === 1 ? '' : 's'}.`
    : `New links work for ${hours} hour${hours === 1 ? '' : 's'}.`;
}
