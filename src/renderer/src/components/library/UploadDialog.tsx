import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Loader,
  Modal,
  Radio,
  ScrollArea,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCloudUpload, IconFolder, IconRefresh } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import type { UploadPlan } from '@shared/jobs/schemas';
import { useStartUpload, useUploadPlan } from '../../lib/jobs-queries';
import { folderLabel, formatBytes, formatCount, plural } from '../../lib/library-format';
import {
  chooseAll,
  undecided,
  uploadInput,
  type CollisionChoice,
  type CollisionChoices,
} from '../../lib/upload-decisions';

/** Rows the file list draws; the counts and sizes above it cover the rest. */
const LISTED = 200;

/** Files to upload into one folder of one bucket: from the file dialog or a drop. */
export interface UploadRequest {
  bucketId: number;
  bucketName: string;
  /** '' for the top of the bucket, else ending with '/'. */
  folder: string;
  paths: string[];
}

/**
 * "Upload files": where they go and how they are kept (main's plan), the files with their sizes, what cannot
 * be uploaded, and for every name that already exists an explicit choice before anything starts.
 */
export function UploadDialog({ request, onClose }: { request: UploadRequest | null; onClose: () => void }) {
  return (
    <Modal
      opened={request !== null}
      onClose={onClose}
      size={820}
      title={
        <Group gap="xs">
          <IconCloudUpload size={20} />
          <Text fw={700} size="lg">
            Upload files
          </Text>
        </Group>
      }
    >
      {/* Keyed by the request: another set of files starts with its own choices. */}
      {request && <UploadForm key={request.paths.join('\n')} request={request} onClose={onClose} />}
    </Modal>
  );
}

function UploadForm({ request, onClose }: { request: UploadRequest; onClose: () => void }) {
  const [isPublic, setPublic] = useState(false);
  const [choices, setChoices] = useState<CollisionChoices>({});
  const planInput = useMemo(
    () => ({ bucketId: request.bucketId, folder: request.folder, paths: request.paths, public: isPublic }),
    [request, isPublic],
  );
  const plan = useUploadPlan(planInput);
  const start = useStartUpload();

  if (plan.isPending) {
    return (
      <Group gap="sm" py="md" role="status">
        <Loader size="sm" />
        <Text size="sm">
          Checking the files and whether their names already exist in {request.bucketName}…
        </Text>
      </Group>
    );
  }
  if (plan.isError) {
    return (
      <Alert color="red" title="Signet could not prepare this upload" role="alert">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{plan.error.message}</Text>
          <Button
            size="xs"
            color="red"
            variant="light"
            leftSection={<IconRefresh size={14} />}
            onClick={() => void plan.refetch()}
          >
            Try again
          </Button>
        </Stack>
      </Alert>
    );
  }

  const data = plan.data;
  // While "Public" is being re-planned the previous plan stays on screen, but nothing starts from it.
  const replanning = plan.isFetching;
  const open = undecided(data, choices);
  const input = uploadInput(data, choices, {
    bucketId: request.bucketId,
    folder: request.folder,
    public: isPublic,
  });
  const count = input.paths.length;
  const bytes = data.files.reduce((sum, f) => sum + f.size, 0);

  const upload = () =>
    start.mutate(input, {
      onSuccess: (job) => {
        notifications.show({
          color: 'blue',
          title: 'Upload started',
          message: `${job.title}. Its progress shows at the bottom of the window; you can keep working.`,
        });
        onClose();
      },
    });

  return (
    <Stack gap="md">
      <Group gap={6} wrap="nowrap">
        <IconFolder size={16} style={{ flex: 'none' }} />
        <Text size="sm">
          Folder: <b>{folderLabel(request.folder, request.bucketName)}</b>
        </Text>
      </Group>
      <Text size="sm" aria-label="Destination" role="note">
        {data.destination}
      </Text>
      <Switch
        checked={isPublic}
        onChange={(e) => setPublic(e.currentTarget.checked)}
        label="Public (for shop images)"
        description="Leave off for product files: they stay private, and customers get them only through the download links Signet issues. Turn on only for pictures your shop shows to everyone."
      />
      <Stack gap={4}>
        <Text size="sm" fw={600}>
          {plural(data.files.length, 'file')} · {formatBytes(bytes)}
        </Text>
        <FileList
          plan={data}
          choices={choices}
          onChoose={(key, c) => setChoices((x) => ({ ...x, [key]: c }))}
        />
      </Stack>
      {data.collisions.length > 0 && (
        <Alert color="yellow" icon={<IconAlertTriangle />} title={collisionTitle(data)}>
          <Stack gap="xs">
            <Text size="sm">
              Choose for each of them above whether to replace the file in the storage or keep it (the one you
              chose is then not uploaded). Replaced files cannot be brought back.
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="light"
                color="orange"
                onClick={() => setChoices(chooseAll(data, 'replace'))}
              >
                Replace all
              </Button>
              <Button size="xs" variant="default" onClick={() => setChoices(chooseAll(data, 'keep'))}>
                Keep all existing
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {data.problems.length > 0 && (
        <Alert color="orange" title={`${plural(data.problems.length, 'item')} cannot be uploaded`}>
          <List size="sm" spacing={2} aria-label="Items that cannot be uploaded">
            {data.problems.slice(0, LISTED).map((p) => (
              <List.Item key={p.path}>
                <Text size="sm" span ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {p.path}
                </Text>
                : {p.reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {start.isError && (
        <Alert color="red" title="The upload did not start" role="alert">
          {start.error.message}
        </Alert>
      )}
      <Group justify="space-between" gap="sm">
        <Text size="sm" c="dimmed">
          {open.length > 0
            ? `Decide about ${plural(open.length, 'file')} that already ${open.length === 1 ? 'exists' : 'exist'} first.`
            : count === 0
              ? 'Nothing to upload.'
              : ''}
        </Text>
        <Group gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            leftSection={<IconCloudUpload size={18} />}
            disabled={open.length > 0 || count === 0 || replanning}
            loading={start.isPending}
            onClick={upload}
          >
            {count === 0 ? 'Upload' : `Upload ${plural(count, 'file')}`}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

function collisionTitle(plan: UploadPlan): string {
  const n = plan.collisions.length;
  return `${plural(n, 'file')} with the same name ${n === 1 ? 'is' : 'are'} already in the storage`;
}

function FileList({
  plan,
  choices,
  onChoose,
}: {
  plan: UploadPlan;
  choices: CollisionChoices;
  onChoose: (key: string, choice: CollisionChoice) => void;
}) {
  const existing = new Set(plan.collisions);
  // Names that need a decision first, so they are never hidden past the rows drawn.
  const files = [...plan.files].sort((a, b) => Number(existing.has(b.key)) - Number(existing.has(a.key)));
  return (
    <ScrollArea.Autosize mah={300}>
      <Table aria-label="Files to upload" verticalSpacing={4} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name in the storage</Table.Th>
            <Table.Th w={110} ta="right">
              Size
            </Table.Th>
            <Table.Th w={300} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {files.slice(0, LISTED).map((f) => (
            <Table.Tr key={f.key} aria-label={f.key}>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>
                <Text size="sm" title={f.path}>
                  {f.key}
                </Text>
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm">{formatBytes(f.size)}</Text>
              </Table.Td>
              <Table.Td>
                {existing.has(f.key) && (
                  <Radio.Group
                    value={choices[f.key] ?? null}
                    onChange={(v) => onChoose(f.key, v as CollisionChoice)}
                    aria-label={`${f.key} already exists`}
                  >
                    <Group gap="sm" wrap="nowrap">
                      <Badge size="sm" color="yellow" variant="light" style={{ flex: 'none' }}>
                        Exists
                      </Badge>
                      <Radio size="xs" value="replace" label="Replace" />
                      <Radio size="xs" value="keep" label="Keep existing" />
                    </Group>
                  </Radio.Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {files.length > LISTED && (
        <Text size="sm" c="dimmed" mt={4}>
          …and {formatCount(files.length - LISTED)} more.
        </Text>
      )}
    </ScrollArea.Autosize>
  );
}
