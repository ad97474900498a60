import { Alert, Badge, Button, Card, Group, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconFilter } from '@tabler/icons-react';
import { ACCESS_TYPES, type BucketView } from '@shared/library/schemas';
import { ACCESS_INFO } from './AccessBadge';
import { formatAgo, formatBytes, formatCount, formatDateTime, plural } from '../../lib/library-format';

/**
 * The chosen bucket at a glance: how many files, how big, how they are shared, and above all whether
 * anything Signet holds as private can be read by strangers (a leak), which is shown first and in red.
 */
export function BucketSummary({ bucket, onShowLeaks }: { bucket: BucketView; onShowLeaks: () => void }) {
  return (
    <>
      {bucket.leaks > 0 && (
        <Alert
          color="red"
          variant="filled"
          icon={<IconAlertTriangle />}
          title={`${plural(bucket.leaks, 'file is', 'files are')} readable by anyone although Signet holds ${
            bucket.leaks === 1 ? 'it' : 'them'
          } as private`}
        >
          <Group justify="space-between" align="flex-end" gap="xs">
            <Text size="sm">
              A stranger downloaded {bucket.leaks === 1 ? 'it' : 'them'} when Signet last checked. Someone
              changed the access outside Signet, or the bucket lets everyone read. Check the bucket’s
              settings, then verify again.
            </Text>
            <Button
              size="xs"
              color="red"
              variant="white"
              leftSection={<IconFilter size={14} />}
              onClick={onShowLeaks}
            >
              Show leaks
            </Button>
          </Group>
        </Alert>
      )}
      {bucket.accessNote && (
        <Alert color="yellow" title="Access here is checked file by file" aria-label="How access is checked">
          {bucket.accessNote} A file is shown as private only when a stranger’s request for it was refused.
        </Alert>
      )}
      {bucket.lastSyncError && (
        <Alert color="red" title="The last sync did not finish">
          {bucket.lastSyncError} The list below shows what Signet knew before; press Sync to try again.
        </Alert>
      )}
      {!bucket.configured && (
        <Alert color="gray" title="This bucket is no longer in the account’s settings">
          Signet keeps the list it made of it so you can still look it up. Add the bucket to the account again
          on the Accounts page to sync it.
        </Alert>
      )}
      <Card withBorder padding="sm" aria-label="Bucket summary">
        <Group gap="lg" wrap="wrap">
          <Stat label="Files" value={formatCount(bucket.objects)} />
          <Stat label="Total size" value={formatBytes(bucket.bytes)} />
          <Tooltip
            label={bucket.lastSyncAt ? formatDateTime(bucket.lastSyncAt) : 'Press Sync to list the bucket'}
          >
            <div>
              <Stat label="Last sync" value={bucket.lastSyncAt ? formatAgo(bucket.lastSyncAt) : 'never'} />
            </div>
          </Tooltip>
          <Group gap={6} aria-label="Files by access type">
            {ACCESS_TYPES.map((type) => {
              const n = bucket.access[type] ?? 0;
              const info = ACCESS_INFO[type];
              return (
                <Tooltip key={type} label={info.explanation} multiline w={280} withArrow openDelay={300}>
                  <Badge
                    color={info.color}
                    variant={n > 0 ? 'light' : 'outline'}
                    style={{ cursor: 'help', opacity: n > 0 ? 1 : 0.55 }}
                  >
                    {info.label}: {formatCount(n)}
                  </Badge>
                </Tooltip>
              );
            })}
            <Badge
              color="red"
              variant={bucket.leaks > 0 ? 'filled' : 'outline'}
              style={{ opacity: bucket.leaks > 0 ? 1 : 0.55 }}
            >
              Leaks: {formatCount(bucket.leaks)}
            </Badge>
          </Group>
        </Group>
      </Card>
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" lh={1.2}>
        {label}
      </Text>
      <Text fw={700} lh={1.2}>
        {value}
      </Text>
    </div>
  );
}
