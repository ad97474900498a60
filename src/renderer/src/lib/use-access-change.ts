import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { AccessPreview } from '@shared/jobs/schemas';
import type { SelectionInput } from '@shared/library/schemas';
import { needsConfirmation } from './access-confirm';
import { useAccessPreview, useStartAccess } from './jobs-queries';
import { useSettings } from './queries';

export type AccessWanted = 'private' | 'public';

/** A make-private / make-public waiting for the owner's yes, with what main said it would do. */
export interface AccessRequest {
  selection: SelectionInput;
  access: AccessWanted;
  preview: AccessPreview;
}

/**
 * "Make private" / "Make public": asks main what would happen first; confirms with the owner when the change
 * is big, partly impossible, or the settings say to ask (needsConfirmation), else starts the job at once.
 */
export function useAccessChange(onStarted: () => void) {
  const settings = useSettings();
  const preview = useAccessPreview();
  const start = useStartAccess();
  const [request, setRequest] = useState<AccessRequest | null>(null);

  const begin = (selection: SelectionInput, access: AccessWanted) =>
    preview.mutate(
      { selection, access },
      {
        onSuccess: (p) => {
          if (needsConfirmation(p, settings.data?.confirmBulkChanges ?? true)) {
            setRequest({ selection, access, preview: p });
            return;
          }
          start.mutate(
            { selection, access, verify: false },
            {
              onSuccess: onStarted,
              onError: (error) =>
                notifications.show({
                  color: 'red',
                  title: `The files were not made ${access}`,
                  message: error.message,
                }),
            },
          );
        },
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: `Signet could not prepare making the files ${access}`,
            message: error.message,
          }),
      },
    );

  return {
    begin,
    /** Which change is being prepared or started (for the buttons' spinners), null when none. */
    busy: preview.isPending ? preview.variables.access : start.isPending ? start.variables.access : null,
    request,
    close: () => setRequest(null),
  };
}
