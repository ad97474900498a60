import { Badge, Group, Select, Text } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import type { BucketView } from '@shared/library/schemas';
import { plural } from '../../lib/library-format';

/** The label in the closed picker, where no badge fits: the role and state as words. */
export function bucketLabel(bucket: BucketView): string {
  const notes = [
    bucket.role === 'private' ? 'private bucket' : null,
    bucket.configured ? null : 'no longer in settings',
  ].filter(Boolean);
  return notes.length > 0 ? `${bucket.name} (${notes.join(', ')})` : bucket.name;
}

/** Every bucket of every account, grouped under the account's name, as the buckets' names repeat across accounts. */
export function BucketPicker({
  buckets,
  value,
  onChange,
}: {
  buckets: BucketView[];
  value: number | null;
  onChange: (id: number) => void;
}) {
  const groups = new Map<string, BucketView[]>();
  for (const b of buckets) groups.set(b.accountName, [...(groups.get(b.accountName) ?? []), b]);
  const byId = new Map(buckets.map((b) => [String(b.id), b]));

  return (
    <Select
      label="Bucket"
      w={320}
      allowDeselect={false}
      value={value === null ? null : String(value)}
      onChange={(id) => id && onChange(Number(id))}
      data={[...groups].map(([account, list]) => ({
        group: account,
        items: list.map((b) => ({ value: String(b.id), label: bucketLabel(b) })),
      }))}
      renderOption={({ option, checked }) => {
        const bucket = byId.get(option.value);
        if (!bucket) return option.label;
        return (
          <Group gap="xs" wrap="nowrap" justify="space-between" w="100%">
            <div style={{ minWidth: 0 }}>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" truncate>
                  {bucket.name}
                </Text>
                {bucket.role === 'private' && (
                  <Badge size="xs" variant="light" color="indigo">
                    private bucket
                  </Badge>
                )}
                {bucket.leaks > 0 && (
                  <Badge size="xs" variant="filled" color="red">
                    {plural(bucket.leaks, 'leak')}
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {bucket.lastSyncAt ? plural(bucket.objects, 'file') : 'Not synced yet'}
                {bucket.configured ? '' : ' · no longer in the account’s settings'}
              </Text>
            </div>
            {checked && <IconCheck size={16} />}
          </Group>
        );
      }}
    />
  );
}
