import { Button, Group, Paper, Text } from '@mantine/core';
import { IconLink, IconListCheck, IconLock, IconShieldSearch, IconWorld, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { LinkGeneratorForObject } from '../links/LinkGenerator';
import type { TaskProgress } from '../../lib/library-queries';
import { formatCount, formatTotal } from '../../lib/library-format';
import type { LibrarySelection } from '../../lib/library-selection';
import type { AccessWanted } from '../../lib/use-access-change';

/** What is selected and what can be done with it: a link, verify access, make private or public. */
export function SelectionBar({
  selection,
  total,
  totalCapped,
  verifying,
  progress,
  onVerify,
  onCancelVerify,
  changingAccess,
  onChangeAccess,
}: {
  selection: LibrarySelection;
  total: number;
  /** More match than `total` (a search's count stops at its cap). */
  totalCapped: boolean;
  verifying: boolean;
  progress: TaskProgress | null;
  onVerify: () => void;
  onCancelVerify: (() => void) | null;
  /** The access change being prepared (its button spins), null when none. */
  changingAccess: AccessWanted | null;
  onChangeAccess: (access: AccessWanted) => void;
}) {
  const [linkFor, setLinkFor] = useState<{ id: number; bucketId: number } | null>(null);
  const chosen = selection.toSelection();
  const single =
    chosen?.kind === 'ids' && chosen.ids.length === 1
      ? { id: chosen.ids[0]!, bucketId: chosen.bucketId }
      : null;
  if (selection.count === 0 && !verifying) return null;
  return (
    <>
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
                ? `All ${formatTotal(selection.count, totalCapped)} matching selected`
                : `${formatCount(selection.count)} selected`}
            </Text>
            {!selection.allMatching && (selection.count < total || totalCapped) && (
              <Button
                size="compact-sm"
                variant="subtle"
                leftSection={<IconListCheck size={16} />}
                onClick={selection.selectAllMatching}
              >
                Select all {formatTotal(total, totalCapped)} matching
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
            {single !== null && (
              <Button
                size="compact-sm"
                variant="light"
                leftSection={<IconLink size={16} />}
                onClick={() => setLinkFor(single)}
              >
                Create link
              </Button>
            )}
            <Button
              size="compact-sm"
              variant="light"
              leftSection={<IconLock size={16} />}
              loading={changingAccess === 'private'}
              disabled={selection.count === 0 || changingAccess !== null}
              onClick={() => onChangeAccess('private')}
            >
              Make private
            </Button>
            <Button
              size="compact-sm"
              variant="light"
              color="orange"
              leftSection={<IconWorld size={16} />}
              loading={changingAccess === 'public'}
              disabled={selection.count === 0 || changingAccess !== null}
              onClick={() => onChangeAccess('public')}
            >
              Make public
            </Button>
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
      <LinkGeneratorForObject object={linkFor} onClose={() => setLinkFor(null)} />
    </>
  );
}
