import { Alert, Button, Group, Modal, NativeSelect, NumberInput, Stack, Text } from '@mantine/core';
import { IconCheck, IconRefreshDot } from '@tabler/icons-react';
import { useState } from 'react';
import {
  EXPIRY_PRESET_LABELS,
  expiryPresetsFor,
  MAX_DOWNLOADS,
  type ExpiryPreset,
  type LinkCreated,
  type LinkView,
} from '@shared/links/schemas';
import { useReissueLink } from '../../lib/links-queries';
import { useSettings } from '../../lib/queries';
import { CopyLink } from './CopyLink';
import { formatLocal } from './expiry';
import { describeLink } from './link-text';

const DEFAULT = 'default';

function lifetimeText(hours: number): string {
  return hours % 24 === 0
    ? `${hours / 24} day${hours === 24 ? '' : 's'}`
    : `${hours} hour${hours === 1 ? '' : 's'}`;
}

/**
 * Reissue: a new link for the same file, order, customer and note, in one click from the ledger or a link's
 * details, then Copy. The verifier revokes the old link first; when it cannot be reached, nothing changes (the
 * old link keeps working, no new link exists) and the dialog says so and stays open for another try.
 */
export function ReissueModal({ link, onClose }: { link: LinkView | null; onClose: () => void }) {
  const reissue = useReissueLink();
  const settings = useSettings();
  const [lifetime, setLifetime] = useState<string>(DEFAULT);
  const [max, setMax] = useState<number | ''>('');
  const [created, setCreated] = useState<LinkCreated | null>(null);
  // Another link opened: its own choices (React's "adjust state when a prop changes", during render).
  const [shownFor, setShownFor] = useState<LinkView | null>(null);
  if (link !== shownFor) {
    setShownFor(link);
    if (link) {
      setLifetime(DEFAULT);
      setMax(link.maxDownloads ?? '');
      setCreated(null);
    }
  }

  const close = () => {
    reissue.reset();
    onClose();
  };
  const hours = settings.data?.defaultLinkExpiryHours ?? 72;
  const direct = link?.kind === 'direct';

  return (
    <Modal
      opened={link !== null}
      onClose={close}
      size={560}
      title={<Text fw={700}>{created ? 'New link ready' : 'Reissue this link?'}</Text>}
    >
      {link && created && (
        <Stack gap="md">
          <Text size="sm">
            Send this link to the customer. It works until <b>{formatLocal(new Date(created.expiresAt))}</b>
            {created.maxDownloads !== null
              ? ` for ${created.maxDownloads} download${created.maxDownloads === 1 ? '' : 's'}`
              : ''}
            . {direct ? 'The old link is marked replaced.' : 'The old link no longer works.'}
          </Text>
          {created.warnings.map((w) => (
            <Alert key={w} color="orange" variant="light">
              <Text size="sm">{w}</Text>
            </Alert>
          ))}
          <CopyLink url={created.url} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Done
            </Button>
          </Group>
        </Stack>
      )}
      {link && !created && (
        <Stack gap="md">
          <Text size="sm">
            Signet makes a new link for <b>{describeLink(link)}</b>: the same file, order, customer and note.{' '}
            {direct
              ? 'The old link is a direct storage link, which cannot be revoked: it keeps working until it expires, and the ledger marks it replaced.'
              : link.status === 'revoked'
                ? 'The old link is already revoked.'
                : 'Your verifier revokes the old link first, so only the new one works.'}
          </Text>
          <NativeSelect
            label="The new link works for"
            value={lifetime}
            onChange={(e) => setLifetime(e.currentTarget.value)}
            data={[
              { value: DEFAULT, label: `${lifetimeText(hours)} (your default)` },
              ...expiryPresetsFor(link.kind).map((p) => ({ value: p, label: EXPIRY_PRESET_LABELS[p] })),
            ]}
          />
          {!direct && (
            <NumberInput
              label="Downloads allowed"
              description="The old link’s limit; leave empty for no limit."
              placeholder="No limit"
              min={1}
              max={MAX_DOWNLOADS}
              allowDecimal={false}
              value={max}
              onChange={(v) => setMax(typeof v === 'number' ? v : '')}
            />
          )}
          {reissue.isError && (
            <Alert color="red" title="No new link was made" role="alert">
              <Text size="sm">{reissue.error.message}</Text>
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              leftSection={reissue.isError ? <IconRefreshDot size={18} /> : <IconCheck size={18} />}
              loading={reissue.isPending}
              onClick={() =>
                reissue.mutate(
                  {
                    jti: link.jti,
                    ...(lifetime !== DEFAULT
                      ? { expiry: { type: 'preset' as const, preset: lifetime as ExpiryPreset } }
                      : {}),
                    ...(direct ? {} : { maxDownloads: max === '' ? null : max }),
                  },
                  { onSuccess: setCreated },
                )
              }
            >
              {reissue.isError ? 'Try again' : 'Reissue link'}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
