import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { AccountCreateInput, AccountUpdateInput, VerifierKeyInput } from '@shared/accounts/schemas';
import type { SettingsPatch } from '@shared/settings';
import { api, unwrap } from './api';

export const keys = {
  settings: ['settings'] as const,
  appInfo: ['app-info'] as const,
  keychain: ['keychain-status'] as const,
  activity: ['activity'] as const,
};

export function useSettings() {
  const client = useQueryClient();
  // Main announces every change, so other views (and a second window later) stay in step.
  useEffect(() => api().on('settings:changed', (next) => client.setQueryData(keys.settings, next)), [client]);
  return useQuery({ queryKey: keys.settings, queryFn: () => unwrap(api().settings.get()) });
}

export function useUpdateSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => unwrap(api().settings.update(patch)),
    onSuccess: (next) => {
      client.setQueryData(keys.settings, next);
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export function useAppInfo() {
  return useQuery({ queryKey: keys.appInfo, queryFn: () => unwrap(api().app.info()), staleTime: Infinity });
}

export function useKeychainStatus() {
  return useQuery({ queryKey: keys.keychain, queryFn: () => unwrap(api().keychain.status()) });
}

export function useActivity(limit = 100) {
  return useQuery({
    queryKey: [...keys.activity, limit],
    queryFn: () => unwrap(api().activity.list({ limit })),
  });
}

// ---- Storage accounts ----

export const accountKeys = { all: ['accounts'] as const };

export function useAccounts() {
  return useQuery({ queryKey: accountKeys.all, queryFn: () => unwrap(api().accounts.list()) });
}

/** Add, edit, remove and test all answer with fresh data; each refreshes the list and the activity log. */
function useAccountMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: accountKeys.all });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export const useAddAccount = () =>
  useAccountMutation((input: AccountCreateInput) => unwrap(api().accounts.add(input)));
export const useUpdateAccount = () =>
  useAccountMutation((input: AccountUpdateInput) => unwrap(api().accounts.update(input)));
export const useRemoveAccount = () =>
  useAccountMutation((id: string) => unwrap(api().accounts.remove({ id })));
export const useTestAccount = () => useAccountMutation((id: string) => unwrap(api().accounts.test({ id })));
export const useSetVerifierKey = () =>
  useAccountMutation((input: VerifierKeyInput) => unwrap(api().accounts.verifierKey(input)));
