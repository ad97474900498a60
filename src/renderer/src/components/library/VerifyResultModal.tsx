import { Alert, Button, Group, List, Modal, ScrollArea, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react';
import type { VerifySummary } from '@shared/library/schemas';
import { AccessBadge } from './AccessBadge';
import { formatCount, plural } from '../../lib/library-format';

/** Leaks beyond this are counted, not listed: the list is for reading, "Leaks only" is for working through them. */
const LISTED = 100;

/** What strangers got when Signet tried each selected file's plain address without keys. */
export function VerifyResultModal({
  summary,
  onClose,
  onShowLeaks,
}: {
  summary: VerifySummary | null;
  onClose: () => void;
  onShowLeaks: () => void;
}) {
  const leaks = summary?.leaks ?? [];
  return (
    <Modal opened={summary !== null} onClose={onClose} title="Access check finished" size="lg">
      {summary && (
        <Stack gap="md">
          <SimpleGrid cols={4} spacing="xs" aria-label="Access check counts">
            <Stat label="Checked" value={summary.checked} />
            <Stat label="Readable by strangers" value={summary.readable} />
            <Stat label="Refused to strangers" value={summary.refused} />
            <Stat label="No answer" value={summary.failed} />
          </SimpleGrid>
          {leaks.length > 0 ? (
            <Alert
              color="red"
              icon={<IconAlertTriangle />}
              title={`${plural(leaks.length, 'leak')}: ${plural(leaks.length, 'file', 'files')} Signet holds as private ${
                leaks.length === 1 ? 'was' : 'were'
              } downloaded without a key`}
            >
              <ScrollArea.Autosize mah={220}>
                <List size="sm" spacing={4} aria-label="Leaked files">
                  {leaks.slice(0, LISTED).map((leak) => (
                    <List.Item key={leak.key}>
                      <Group gap={6} wrap="nowrap">
                        <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                          {leak.key}
                        </Text>
                        <AccessBadge access={leak.access} size="xs" />
                        <Text size="xs" c="dimmed">
                          HTTP {leak.status}
                        </Text>
                      </Group>
                    </List.Item>
                  ))}
                </List>
                {leaks.length > LISTED && (
                  <Text size="sm" mt={4}>
                    …and {formatCount(leaks.length - LISTED)} more.
                  </Text>
                )}
              </ScrollArea.Autosize>
              <Text size="sm" mt="xs">
                Someone changed their access outside Signet, or the bucket lets everyone read. Check the
                bucket’s settings on the storage provider, then verify again.
              </Text>
            </Alert>
          ) : (
            <Alert color="teal" icon={<IconShieldCheck />} title="No leaks">
              Every file Signet holds as private refused the stranger.
              {summary.readable > 0 &&
                ` The ${plural(summary.readable, 'file')} a stranger could read ${
                  summary.readable === 1 ? 'is' : 'are'
                } public on purpose.`}
            </Alert>
          )}
          {summary.failed > 0 && (
            <Text size="sm" c="dimmed">
              {plural(summary.failed, 'file')} got no answer (network or storage trouble): verify{' '}
              {summary.failed === 1 ? 'it' : 'them'} again later.
            </Text>
          )}
          <Group justify="flex-end">
            {leaks.length > 0 && (
              <Button variant="light" color="red" onClick={onShowLeaks}>
                Show leaks in the list
              </Button>
            )}
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div>
      <Text size="xl" fw={700} lh={1.1}>
        {formatCount(value)}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </div>
  );
}
