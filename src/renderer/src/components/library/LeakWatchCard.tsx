import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconShieldSearch } from '@tabler/icons-react';
import { WATCH_EVERY_DEFAULT_MINUTES, type Settings } from '@shared/settings';
import { formatAgo, formatDateTime } from '../../lib/library-format';
import { useRunWatch, useWatchStatus } from '../../lib/watch-queries';

/** The paces offered in the window; the command line takes any from 15 minutes to 7 days. */
const PACES = [
  { value: '0', label: 'Off' },
  { value: '60', label: 'Every hour' },
  { value: String(WATCH_EVERY_DEFAULT_MINUTES), label: 'Every 6 hours' },
  { value: '720', label: 'Every 12 hours' },
  { value: '1440', label: 'Once a day' },
];

/**
 * Settings → Leak watch: how often Signet asks, as a stranger would, for every file a link points to, so a file
 * that turned public behind Signet's back (an edited bucket policy, a colleague's upload) is caught without the
 * owner pressing Verify. The pace is part of the settings form; "Check now" runs a pass at once.
 */
export function LeakWatchCard({ form }: { form: UseFormReturnType<Settings> }) {
  const status = useWatchStatus();
  const run = useRunWatch();
  const minutes = form.values.watchEveryMinutes;
  const paces = PACES.some((p) => Number(p.value) === minutes)
    ? PACES
    : [...PACES, { value: String(minutes), label: `Every ${minutes} minutes` }];
  const last = status.data?.lastPassAt ?? null;
  return (
    <Card withBorder padding="lg">
      <Stack>
        <div>
          <Title order={4}>Leak watch</Title>
          <Text size="sm" c="dimmed">
            While Signet is open it asks for every file a link points to, the way a stranger would. A file
            that anyone can download although it should be private is shown in the Library and you get a
            notification.
          </Text>
        </div>
        <Group align="flex-end" wrap="wrap">
          <Select
            label="Check linked files"
            data={paces}
            value={String(minutes)}
            onChange={(v) => form.setFieldValue('watchEveryMinutes', Number(v ?? 0))}
            allowDeselect={false}
            w={200}
          />
          <Button
            variant="light"
            leftSection={<IconShieldSearch size={16} />}
            loading={run.isPending}
            onClick={() => run.mutate()}
          >
            Check now
          </Button>
        </Group>
        <Text size="sm" c="dimmed" aria-label="Last leak watch">
          {last ? `Last check: ${formatAgo(last)} (${formatDateTime(last)}).` : 'No check has run yet.'}
        </Text>
        {run.isError && (
          <Alert color="red" title="The check did not finish">
            {run.error.message}
          </Alert>
        )}
        {run.data &&
          (run.data.leaks.length > 0 ? (
            <Alert color="red" title={`${run.data.leaks.length} file(s) can be downloaded by anyone`}>
              {run.data.leaks
                .slice(0, 5)
                .map((l) => `${l.bucket}/${l.key}`)
                .join(', ')}
              {run.data.leaks.length > 5 ? ` and ${run.data.leaks.length - 5} more` : ''}. Open the Library
              and press Show leaks to make them private.
            </Alert>
          ) : (
            <Alert color="green" title="No leaks">
              {run.data.checked === 0
                ? 'No link points to a file in the Library yet, so there was nothing to check.'
                : `${run.data.checked} linked file(s) checked: a stranger could download none of them.`}
            </Alert>
          ))}
      </Stack>
    </Card>
  );
}
