import {
  Alert,
  Button,
  Checkbox,
  Group,
  List,
  Modal,
  ScrollArea,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { IconAlertTriangle, IconLock, IconWorld } from '@tabler/icons-react';
import { useState } from 'react';
import type { AccessPreview } from '@shared/jobs/schemas';
import { useStartAccess } from '../../lib/jobs-queries';
import { formatCount, plural } from '../../lib/library-format';
import type { AccessRequest } from '../../lib/use-access-change';

/**
 * "Make 300 files private?": main's plan in a sentence, how many files get which treatment, what cannot be done
 * and why, and the offer to prove the result the way a stranger would see it.
 */
export function AccessChangeDialog({
  request,
  onClose,
  onStarted,
}: {
  request: AccessRequest | null;
  onClose: () => void;
  onStarted: () => void;
}) {
  const start = useStartAccess();
  const close = () => {
    start.reset();
    onClose();
  };
  const doable = request ? request.preview.total - request.preview.refusedTotal : 0;
  return (
    <Modal
      opened={request !== null}
      onClose={close}
      size="lg"
      title={
        request && (
          <Text fw={700} size="lg">
            Make {plural(request.preview.total, 'file')} {request.access}?
          </Text>
        )
      }
    >
      {request && (
        <Confirm
          key={`${request.access}:${JSON.stringify(request.selection)}`}
          request={request}
          doable={doable}
          starting={start.isPending}
          error={start.error?.message ?? null}
          onCancel={close}
          onStart={(verify) =>
            start.mutate(
              { selection: request.selection, access: request.access, verify },
              {
                onSuccess: () => {
                  onStarted();
                  close();
                },
              },
            )
          }
        />
      )}
    </Modal>
  );
}

function Confirm({
  request,
  doable,
  starting,
  error,
  onCancel,
  onStart,
}: {
  request: AccessRequest;
  doable: number;
  starting: boolean;
  error: string | null;
  onCancel: () => void;
  onStart: (verify: boolean) => void;
}) {
  const { preview, access } = request;
  // Proving "private" the way a stranger sees it is the point of Signet; for "public" it is optional.
  const [verify, setVerify] = useState(access === 'private');
  const Icon = access === 'private' ? IconLock : IconWorld;
  return (
    <Stack gap="md">
      <Text size="sm" role="note" aria-label="Plan">
        {preview.plan}
      </Text>
      <Counts preview={preview} access={access} />
      {preview.move > 0 && (
        <Alert color="yellow" icon={<IconAlertTriangle />} title="Moved files get a new address">
          Download links already issued for them stop working. When the job ends Signet says how many, so you
          can send those customers new links.
        </Alert>
      )}
      {preview.refusedTotal > 0 && (
        <Alert
          color="red"
          icon={<IconAlertTriangle />}
          title={`${plural(preview.refusedTotal, 'file')} cannot be made ${access}`}
        >
          <ScrollArea.Autosize mah={180}>
            <List size="sm" spacing={2} aria-label="Files that cannot be changed">
              {preview.refused.map((r) => (
                <List.Item key={r.key}>
                  <Text size="sm" span ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {r.key}
                  </Text>
                  : {r.reason}
                </List.Item>
              ))}
            </List>
            {preview.refusedTotal > preview.refused.length && (
              <Text size="sm" mt={4}>
                …and {formatCount(preview.refusedTotal - preview.refused.length)} more.
              </Text>
            )}
          </ScrollArea.Autosize>
        </Alert>
      )}
      <Checkbox
        checked={verify}
        onChange={(e) => setVerify(e.currentTarget.checked)}
        label="Also check anonymously afterwards"
        description={
          access === 'private'
            ? 'Signet then tries to download each file the way a stranger would, to prove strangers are refused. It takes a little longer.'
            : 'Signet then downloads each file the way a stranger would, to prove anyone can open it. It takes a little longer.'
        }
      />
      {error && (
        <Alert color="red" title="Nothing was changed" role="alert">
          {error}
        </Alert>
      )}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button
          leftSection={<Icon size={18} />}
          disabled={doable === 0}
          loading={starting}
          onClick={() => onStart(verify)}
        >
          Make {plural(doable, 'file')} {access}
        </Button>
      </Group>
    </Stack>
  );
}

function Counts({ preview, access }: { preview: AccessPreview; access: 'private' | 'public' }) {
  const rows = [
    { label: 'Access setting changed on each file', value: preview.acl },
    { label: 'Moved to another bucket', value: preview.move },
    { label: `Already ${access} (the bucket decides), checked only`, value: preview.already },
    { label: 'Cannot be changed', value: preview.refusedTotal },
  ].filter((r) => r.value > 0);
  return (
    <SimpleGrid cols={rows.length || 1} spacing="xs" aria-label="What will happen" role="group">
      {rows.map((r) => (
        <div key={r.label}>
          <Text size="xl" fw={700} lh={1.1}>
            {formatCount(r.value)}
          </Text>
          <Text size="xs" c="dimmed">
            {r.label}
          </Text>
        </div>
      ))}
    </SimpleGrid>
  );
}
