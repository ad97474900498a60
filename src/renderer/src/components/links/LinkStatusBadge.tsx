import { Badge, Tooltip } from '@mantine/core';
import type { LinkStatus, LinkView } from '@shared/links/schemas';

export const STATUS_INFO: Record<LinkStatus, { label: string; color: string; explanation: string }> = {
  active: { label: 'Active', color: 'teal', explanation: 'The link works until it expires.' },
  revoked: {
    label: 'Revoked',
    color: 'red',
    explanation: 'You revoked this link: the verifier refuses it.',
  },
  expired: { label: 'Expired', color: 'gray', explanation: 'The link’s time is up: it no longer works.' },
  replaced: {
    label: 'Replaced',
    color: 'gray',
    explanation:
      'You reissued this direct storage link. It cannot be revoked: it works until it expires, but the customer has the new one.',
  },
};

export function LinkStatusBadge({ status }: { status: LinkStatus }) {
  const info = STATUS_INFO[status];
  return (
    <Tooltip label={info.explanation} openDelay={400} multiline maw={320}>
      <Badge variant="light" color={info.color} miw="max-content" style={{ cursor: 'help' }}>
        {info.label}
      </Badge>
    </Tooltip>
  );
}

/** "Used from 4 places": how the ledger says what the share guard counted. */
export function placesText(networks: number): string {
  return `used from ${networks} place${networks === 1 ? '' : 's'}`;
}

/**
 * The **Shared** badge: the verifier's share guard saw the link used from more places (networks) than the
 * settings allow. It stays once seen, so a link shared last week is still found by the Shared filter.
 */
export function SharedBadge({ link }: { link: Pick<LinkView, 'networks' | 'sharedAt'> }) {
  if (link.sharedAt === null) return null;
  const places =
    link.networks !== null ? `It was ${placesText(link.networks)}` : 'It was used from many places';
  return (
    <Tooltip
      label={`${places}: more than your share guard allows, so it was probably passed on. Revoke it, or reissue a new link for the customer.`}
      openDelay={300}
      multiline
      maw={320}
    >
      <Badge variant="filled" color="orange" miw="max-content" style={{ cursor: 'help' }}>
        Shared
      </Badge>
    </Tooltip>
  );
}
