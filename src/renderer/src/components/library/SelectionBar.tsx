import { Button, Group, Paper, Text } from '@mantine/core';
import { IconListCheck, IconShieldSearch, IconX } from '@tabler/icons-react';
import type { TaskProgress } from '../../lib/library-queries';
import { formatCount } from '../../lib/library-format';
import type { LibrarySelection } from '../../lib/library-selection';

/** What is selected and what can be done with it; later actions (make private, links) join "Verify access". */
export function SelectionBar({
  selection,
  total,
  verifying,
  progress,
  onVerify,
  onCancelVerify,
}: {
  selection: LibrarySelection;
  total: number;
  verifying: boolean;
  progress: TaskProgress | null;
  onVerify: () => void;
  onCancelVerify: (() => void) | null;
}) {
  if (selection.count === 0 && !verifying) return null;
  return (
    <Paper
      withBorder
      px="sm"
      py={6}
      bg="var(--mantine-primary-color-light)"
      role="region"
      aria-label="Selection"
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs">
          <Text size="sm" fw={700} role="status">
            {selection.allMatching
              ? `All ${formatCount(selection.count)} matching selected`
              : `${formatCount(selection.count)} selected`}
          </Text>
          {!selection.allMatching && selection.count < total && (
            <Button
              size="compact-sm"
              variant="subtle"
              leftSection={<IconListCheck size={16} />}
              onClick={selection.selectAllMatching}
            >
              Select all {formatCount(total)} matching
            </Button>
          )}
        </Group>
        <Group gap="xs">
          {verifying && progress && (
            <Text size="sm" c="dimmed">
              Checked {formatCount(progress.done)}
              {progress.total !== null ? ` of ${formatCount(progress.total)}` : ''}…
            </Text>
          )}
          <Button
            size="compact-sm"
            leftSection={<IconShieldSearch size={16} />}
            loading={verifying}
            disabled={selection.count === 0}
            onClick={onVerify}
          >
            Verify access
          </Button>
          {verifying && onCancelVerify && (
            <Button size="compact-sm" variant="default" onClick={onCancelVerify}>
              Cancel check
            </Button>
          )}
          <Button
            size="compact-sm"
            variant="default"
            leftSection={<IconX size={16} />}
            onClick={selection.clear}
            disabled={verifying}
          >
            Clear
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
