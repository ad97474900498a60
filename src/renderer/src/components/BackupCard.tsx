import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Modal,
  PasswordInput,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconDatabaseExport, IconDatabaseImport } from '@tabler/icons-react';
import { useState } from 'react';
import {
  BACKUP_PASSPHRASE_MIN,
  BACKUP_REMINDER_DAYS,
  BackupPassphraseSchema,
  type BackupCreated,
  type BackupRestored,
  type BackupStatus,
} from '@shared/backup/schemas';
import { formatDateTime } from '../lib/library-format';
import { useBackupStatus, useCreateBackup, useRestoreBackup } from '../lib/backup-queries';

const WHAT =
  'A backup holds your storage accounts with their keys, the link signing keys, the verifier admin token, the settings and the link ledger, encrypted with a passphrase you choose. It is what you need to carry on on another computer.';

/**
 * Settings → Backup: when the last backup was made (with a reminder after 30 days), "Back up…" and
 * "Restore…". Main asks where to save or which file to open, and writes or reads the file itself.
 */
export function BackupCard() {
  const status = useBackupStatus();
  const [open, setOpen] = useState<'backup' | 'restore' | null>(null);
  return (
    <Card withBorder padding="lg" component="section" aria-label="Backup">
      <Stack>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ flex: 1 }}>
            <Title order={4}>Backup</Title>
            <Text size="sm" c="dimmed" maw={520}>
              {WHAT}
            </Text>
          </div>
          <Group gap="xs" style={{ flex: 'none' }}>
            <Button leftSection={<IconDatabaseExport size={18} />} onClick={() => setOpen('backup')}>
              Back up…
            </Button>
            <Button
              variant="default"
              leftSection={<IconDatabaseImport size={18} />}
              onClick={() => setOpen('restore')}
            >
              Restore…
            </Button>
          </Group>
        </Group>
        {status.isPending ? (
          <Loader size="sm" />
        ) : status.isError ? (
          <Alert color="red">{status.error.message}</Alert>
        ) : (
          <LastBackup status={status.data} />
        )}
      </Stack>
      <BackupModal opened={open === 'backup'} onClose={() => setOpen(null)} />
      <RestoreModal
        opened={open === 'restore'}
        needsReplace={status.data?.restoreNeedsReplace ?? false}
        onClose={() => setOpen(null)}
      />
    </Card>
  );
}

function LastBackup({ status }: { status: BackupStatus }) {
  const when =
    status.lastBackupAt === null ? null : (
      <Text size="sm" aria-label="Last backup">
        Last backup: <b>{formatDateTime(status.lastBackupAt)}</b>
        {status.daysSince !== null && ` (${daysText(status.daysSince)})`}
      </Text>
    );
  if (!status.reminder) {
    return (
      when ?? (
        <Text size="sm" c="dimmed" aria-label="Last backup">
          No backup made yet.
        </Text>
      )
    );
  }
  return (
    <Stack gap="xs">
      {when}
      <Alert
        color="orange"
        variant="light"
        icon={<IconAlertTriangle size={18} />}
        title={status.lastBackupAt === null ? 'No backup yet' : 'Time for a new backup'}
      >
        {status.lastBackupAt === null
          ? 'Your keys and storage secrets live only in this computer’s keychain. If it is lost, every link you sold stops working: make a backup and keep it somewhere else.'
          : `More than ${BACKUP_REMINDER_DAYS} days passed since your last backup, and it does not hold the links and changes made since. Make a new one.`}
      </Alert>
    </Stack>
  );
}

function daysText(days: number): string {
  if (days === 0) return 'today';
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

function BackupModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateBackup();
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [result, setResult] = useState<BackupCreated | null>(null);
  const problem = BackupPassphraseSchema.safeParse(passphrase);
  const mismatch = repeat !== '' && repeat !== passphrase;
  const close = () => {
    create.reset();
    setPassphrase('');
    setRepeat('');
    setResult(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={700}>Back up</Text>} size={560}>
      <Stack>
        {result ? (
          result.file === null ? (
            <Text size="sm">Backup cancelled: no file was written.</Text>
          ) : (
            <Alert color="teal" title="Backup saved">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                Written to <b>{result.file}</b>, readable by you alone: {result.accounts} account(s),{' '}
                {result.keys} signing key(s), {result.links} link(s). Copy it somewhere other than this
                computer, and keep the passphrase apart from it.
              </Text>
              {result.warnings.map((w) => (
                <Text key={w} size="sm" c="orange" mt={6}>
                  {w}
                </Text>
              ))}
            </Alert>
          )
        ) : (
          <>
            <Text size="sm">{WHAT}</Text>
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
              Without the passphrase the backup cannot be opened, by anyone, Signet included. Write it down
              and keep it apart from the file.
            </Alert>
            <PasswordInput
              label="Passphrase"
              description={`At least ${BACKUP_PASSPHRASE_MIN} characters; a few unrelated words are easy to keep and hard to guess.`}
              value={passphrase}
              onChange={(e) => setPassphrase(e.currentTarget.value)}
              error={passphrase !== '' && !problem.success ? problem.error.issues[0]?.message : null}
            />
            <PasswordInput
              label="The same passphrase again"
              value={repeat}
              onChange={(e) => setRepeat(e.currentTarget.value)}
              error={mismatch ? 'The two passphrases differ' : null}
            />
          </>
        )}
        {create.isError && (
          <Alert color="red" title="No backup was made">
            {create.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {result ? 'Done' : 'Cancel'}
          </Button>
          {!result && (
            <Button
              leftSection={<IconDatabaseExport size={18} />}
              loading={create.isPending}
              disabled={!problem.success || repeat !== passphrase}
              onClick={() => create.mutate(passphrase, { onSuccess: (done) => setResult(done) })}
            >
              Choose where to save…
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}

function RestoreModal({
  opened,
  needsReplace,
  onClose,
}: {
  opened: boolean;
  needsReplace: boolean;
  onClose: () => void;
}) {
  const restore = useRestoreBackup();
  const [passphrase, setPassphrase] = useState('');
  const [replace, setReplace] = useState(false);
  const [result, setResult] = useState<BackupRestored | null>(null);
  const close = () => {
    restore.reset();
    setPassphrase('');
    setReplace(false);
    setResult(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={700}>Restore a backup</Text>} size={560}>
      <Stack>
        {result ? (
          result.file === null ? (
            <Text size="sm">Restore cancelled: nothing was changed.</Text>
          ) : (
            <Alert color="teal" title="Backup restored">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                Restored {result.accounts} account(s), {result.keys} signing key(s) and {result.links} link(s)
                from the backup made {result.createdAt ? formatDateTime(result.createdAt) : ''}. Sync each
                bucket in the Library to see your files again. Links you sent keep working.
              </Text>
            </Alert>
          )
        ) : (
          <>
            <Text size="sm">
              Brings back the accounts with their keys, the signing keys, the admin token, the settings and
              the link ledger of a backup, on this computer. Accounts keep their store names, so links you
              sent keep working with your verifier.
            </Text>
            {needsReplace && (
              <>
                <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />}>
                  This computer already has storage accounts or signing keys. Restoring replaces them, the
                  settings and the link ledger with the backup’s; the library and jobs of the accounts it
                  replaces go too.
                </Alert>
                <Checkbox
                  label="Replace what is on this computer with the backup"
                  checked={replace}
                  onChange={(e) => setReplace(e.currentTarget.checked)}
                />
              </>
            )}
            <PasswordInput
              label="The backup’s passphrase"
              value={passphrase}
              onChange={(e) => setPassphrase(e.currentTarget.value)}
            />
          </>
        )}
        {restore.isError && (
          <Alert color="red" title="Nothing was restored">
            {restore.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {result ? 'Done' : 'Cancel'}
          </Button>
          {!result && (
            <Button
              leftSection={<IconDatabaseImport size={18} />}
              loading={restore.isPending}
              disabled={passphrase === '' || (needsReplace && !replace)}
              onClick={() =>
                restore.mutate({ passphrase, replace }, { onSuccess: (done) => setResult(done) })
              }
            >
              Choose the backup file…
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
