import { Group, Progress, SimpleGrid, Text } from '@mantine/core';
import { fileName, type ActiveFile } from '../../lib/job-format';
import { formatBytes } from '../../lib/library-format';

/** The files being sent right now, each with its own bar: a big file shows it is moving, not stuck. */
export function InFlightFiles({ files }: { files: readonly ActiveFile[] }) {
  if (files.length === 0) return null;
  return (
    <SimpleGrid
      cols={{ base: 1, sm: 2 }}
      spacing="xs"
      verticalSpacing={4}
      role="list"
      aria-label="Files being sent"
    >
      {files.map((f) => {
        const pct = f.total > 0 ? Math.min(100, (f.loaded / f.total) * 100) : 0;
        return (
          <div key={f.key} role="listitem" aria-label={fileName(f.key)} style={{ minWidth: 0 }}>
            <Group justify="space-between" gap={6} wrap="nowrap">
              <Text size="xs" truncate title={f.key}>
                {fileName(f.key)}
              </Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
                {formatBytes(f.loaded)} of {formatBytes(f.total)}
              </Text>
            </Group>
            <Progress size="xs" value={pct} aria-label={`Sending ${fileName(f.key)}`} />
          </div>
        );
      })}
    </SimpleGrid>
  );
}
