import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './api';

export const backupKeys = { status: ['backup-status'] as const };

/** When the last backup was made, and whether Settings should remind the owner to make one. */
export function useBackupStatus() {
  return useQuery({ queryKey: backupKeys.status, queryFn: () => unwrap(api().backup.status()) });
}

/** Asks where to save, then writes the encrypted backup there. */
export function useCreateBackup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (passphrase: string) => unwrap(api().backup.create({ passphrase })),
    onSettled: () => void client.invalidateQueries(),
  });
}

/** Asks for the backup file, then restores it; afterwards every view reads its data again. */
export function useRestoreBackup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { passphrase: string; replace: boolean }) => unwrap(api().backup.restore(input)),
    onSettled: () => void client.invalidateQueries(),
  });
}
