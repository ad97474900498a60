import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type {
  BatchInput,
  LinkCreateInput,
  LinkReissueInput,
  LinksPageInput,
  LinkView,
  VerifierExportInput,
} from '@shared/links/schemas';
import { api, unwrap } from './api';
import { keys } from './queries';

/** Ledger rows per `links:list` call: a screenful several times over, answered at once from SQLite. */
export const LINKS_PAGE_SIZE = 100;

export const linkKeys = {
  all: ['links'] as const,
  pages: (query: Omit<LinksPageInput, 'cursor' | 'limit'>) => ['links', 'pages', query] as const,
  signingKeys: ['signing-keys'] as const,
  adminToken: ['verifier-admin-token'] as const,
};

/**
 * The ledger, newest first, page by page (cursor = the previous page's `next`). Main's background share check
 * announces links it just saw shared: the ledger then asks again, so their Shared badge shows.
 */
export function useLinkPages(query: Omit<LinksPageInput, 'cursor' | 'limit'>) {
  const client = useQueryClient();
  useEffect(
    () => api().on('links:shared', () => void client.invalidateQueries({ queryKey: linkKeys.all })),
    [client],
  );
  return useInfiniteQuery({
    queryKey: linkKeys.pages(query),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(api().links.list({ ...query, cursor: pageParam, limit: LINKS_PAGE_SIZE })),
    getNextPageParam: (last) => last.next,
    // Another search or filter keeps the rows on screen until the answer comes (no flashing skeleton).
    placeholderData: (previous) => previous,
  });
}

/** Whether the ledger holds any link at all (for the page's "No links yet" state). */
export function useAnyLinks() {
  return useQuery({
    queryKey: [...linkKeys.all, 'any'],
    queryFn: async () => (await unwrap(api().links.list({ limit: 1 }))).rows.length > 0,
  });
}

/** Every change to links refreshes the ledger and the activity log. */
function useLinksMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: linkKeys.all });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export const useCreateLink = () =>
  useLinksMutation((input: LinkCreateInput) => unwrap(api().links.create(input)));
export const useRevokeLink = () => useLinksMutation((jti: string) => unwrap(api().links.revoke({ jti })));
export const useReissueLink = () =>
  useLinksMutation((input: LinkReissueInput) => unwrap(api().links.reissue(input)));
export const useBatchIssue = () =>
  useLinksMutation((input: BatchInput) => unwrap(api().links.batchIssue(input)));

/** The preview changes nothing, so it refreshes nothing. */
export const useBatchPreview = () =>
  useMutation({ mutationFn: (input: BatchInput) => unwrap(api().links.batchPreview(input)) });

/** Asks the verifier for the downloads of some links; the answer also lands in the ledger. */
export function useLinkUsage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jtis: string[]) => unwrap(api().links.usage({ jtis })),
    onSuccess: () => void client.invalidateQueries({ queryKey: linkKeys.all }),
  });
}

/** "2 of 5 downloads", "3 downloads", or null when the verifier was never asked. */
export function usageText(link: Pick<LinkView, 'downloads' | 'maxDownloads'>): string | null {
  if (link.downloads === null) return null;
  const n = link.downloads;
  return link.maxDownloads === null
    ? `${n} download${n === 1 ? '' : 's'}`
    : `${n} of ${link.maxDownloads} download${link.maxDownloads === 1 ? '' : 's'}`;
}

// ---- Signing keys and the verifier ----

export function useSigningKeys() {
  return useQuery({ queryKey: linkKeys.signingKeys, queryFn: () => unwrap(api().keys.list()) });
}

function useKeysMutation<I, O>(fn: (input: I) => Promise<O>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: linkKeys.signingKeys });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}

export const useCreateSigningKey = () => useKeysMutation(() => unwrap(api().keys.create()));
export const useRetireSigningKey = () => useKeysMutation((kid: string) => unwrap(api().keys.retire({ kid })));

export function useAdminTokenStatus() {
  return useQuery({
    queryKey: linkKeys.adminToken,
    queryFn: () => unwrap(api().verifier.adminTokenStatus()),
  });
}

export function useSetAdminToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api().verifier.adminTokenSet({ token })),
    onSuccess: (status) => client.setQueryData(linkKeys.adminToken, status),
    onSettled: () => void client.invalidateQueries({ queryKey: keys.activity }),
  });
}

export function useExportVerifierConfig() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: VerifierExportInput) => unwrap(api().verifier.exportConfig(input)),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: linkKeys.adminToken });
      // An export stamps the keys it wrote: "Not yet exported" must go.
      void client.invalidateQueries({ queryKey: linkKeys.signingKeys });
      void client.invalidateQueries({ queryKey: keys.activity });
    },
  });
}
