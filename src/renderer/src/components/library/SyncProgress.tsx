import { Button, Card, Group, Loader, Progress, Text } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import type { TaskProgress } from '../../lib/library-queries';
import { formatCount } from '../../lib/library-format';

/**
 * A running sync: how far it got and how fast, with a way out. The table below stays usable meanwhile: it
 * shows the catalog as it was, which is what a shop owner wants to browse while the listing runs.
 */
export function SyncProgress({
  bucket,
  progress,
  cancelling,
  onCancel,
}: {
  bucket: string;
  progress: TaskProgress | null;
  cancelling: boolean;
  onCancel: () => void;
}) {
  const done = progress?.done ?? 0;
  const total = progress?.total ?? null;
  const rate = progress?.rate ?? null;
  return (
    <Card withBorder padding="sm" role="status" aria-label={`Syncing ${bucket}`}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
          <Loader size="sm" />
          <div style={{ minWidth: 0 }}>
            <Text size="sm" fw={600}>
              Syncing {bucket}: {formatCount(done)}
              {total !== null ? ` of ${formatCount(total)}` : ''} files listed
              {rate !== null && rate > 0 ? ` · ${formatCount(Math.round(rate))} files/s` : ''}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {progress?.message ??
                'Asking the storage for its list of files. You can keep browsing while it runs.'}
            </Text>
          </div>
        </Group>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconX size={14} />}
          loading={cancelling}
          onClick={onCancel}
        >
          Cancel sync
        </Button>
      </Group>
      <Progress
        mt="xs"
        size="sm"
        value={total ? Math.min(100, (done / total) * 100) : 100}
        striped={!total}
        animated={!total}
        aria-label="Sync progress"
      />
    </Card>
  );
}
