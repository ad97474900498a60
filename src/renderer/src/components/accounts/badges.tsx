import { Badge, Tooltip } from '@mantine/core';
import { PRIVACY_MODEL_INFO } from '@shared/accounts/privacy';
import type { AccountView, BucketReport } from '@shared/accounts/schemas';

/** The account's state in one word: keys missing, never tested, or how the last test went. */
export function AccountStatusBadge({ account, testing }: { account: AccountView; testing?: boolean }) {
  if (testing) {
    return (
      <Badge color="blue" variant="light">
        Testing…
      </Badge>
    );
  }
  if (account.credentials.hasCredentials === false) {
    return (
      <Badge color="red" variant="light">
        Keys missing
      </Badge>
    );
  }
  if (account.credentials.hasCredentials === null) {
    return (
      <Badge color="gray" variant="light">
        Keychain locked
      </Badge>
    );
  }
  const status = account.lastTest?.status;
  const [color, label] =
    status === 'ok'
      ? ['teal', 'Connected']
      : status === 'warning'
        ? ['yellow', 'Needs attention']
        : status === 'failed'
          ? ['red', 'Failed']
          : ['gray', 'Not tested'];
  return (
    <Badge color={color} variant="light">
      {label}
    </Badge>
  );
}

export function PrivacyModelBadge({ privacy }: { privacy: BucketReport['privacy'] }) {
  const info = PRIVACY_MODEL_INFO[privacy.model];
  const color = privacy.model === 'object-acl' ? 'indigo' : privacy.model === 'unknown' ? 'gray' : 'grape';
  return (
    <Tooltip label={info.explanation} multiline w={320} withArrow>
      <Badge color={color} variant="light" style={{ cursor: 'help' }}>
        {info.label}
      </Badge>
    </Tooltip>
  );
}

export function ExposureBadge({ level }: { level: BucketReport['exposure']['level'] }) {
  const [color, label] =
    level === 'private'
      ? ['teal', 'Not public']
      : level === 'public'
        ? ['red', 'Public']
        : ['gray', 'Exposure unknown'];
  return (
    <Badge color={color} variant={level === 'public' ? 'filled' : 'light'}>
      {label}
    </Badge>
  );
}
