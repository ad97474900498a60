import { Badge, type BadgeProps, Tooltip } from '@mantine/core';
import type { AccessType } from '@shared/library/schemas';

/**
 * Each access type's name, colour and meaning in plain words. The words are the command line's
 * (`signet ls --json`), so the window and the CLI agree; the explanation is what a shop owner needs to know.
 */
export const ACCESS_INFO: Record<AccessType, { label: string; color: string; explanation: string }> = {
  public: {
    label: 'Public',
    color: 'orange',
    explanation: 'Anyone who has the plain address can download this file, without a Signet link.',
  },
  authenticated: {
    label: 'Authenticated',
    color: 'yellow',
    explanation:
      'Anyone with an account at this storage provider (not only yours) can download it. Not private: treat it as public.',
  },
  'public-bucket': {
    label: 'Public bucket',
    color: 'grape',
    explanation:
      'The file itself is set to private, but the whole bucket lets everyone read its files, so anyone with the address can download it.',
  },
  private: {
    label: 'Private',
    color: 'teal',
    explanation: 'Only you and the download links Signet issues can open this file. Strangers are refused.',
  },
  unknown: {
    label: 'Unknown',
    color: 'gray',
    explanation:
      'Signet could not read this file’s access setting (the key may not be allowed to). Sync again, or check it with “Verify access”.',
  },
};

export const LEAK_EXPLANATION =
  'Signet holds this file as not public, yet a stranger downloaded it when Signet last checked. Someone changed its access outside Signet, or the bucket makes it public.';

export function AccessBadge({ access, ...props }: { access: AccessType } & BadgeProps) {
  const info = ACCESS_INFO[access];
  return (
    <Tooltip label={info.explanation} multiline w={280} withArrow openDelay={300}>
      <Badge color={info.color} variant="light" style={{ cursor: 'help' }} {...props}>
        {info.label}
      </Badge>
    </Tooltip>
  );
}

export function LeakBadge(props: BadgeProps) {
  return (
    <Tooltip label={LEAK_EXPLANATION} multiline w={280} withArrow openDelay={300}>
      <Badge color="red" variant="filled" style={{ cursor: 'help' }} {...props}>
        Leak
      </Badge>
    </Tooltip>
  );
}
