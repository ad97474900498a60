import { Badge, Tooltip } from '@mantine/core';
import { useBuckets } from '../../lib/library-queries';

/**
 * The Library's leak count in the navigation: files Signet holds as not public that a stranger downloaded when
 * last asked (by Verify or the leak watch), over every bucket. Nothing when there are none.
 */
export function LeakBadge() {
  const buckets = useBuckets();
  const leaks = (buckets.data ?? []).reduce((n, b) => n + b.leaks, 0);
  if (leaks === 0) return null;
  return (
    <Tooltip label="Files anyone can download although Signet holds them as private: open the Library">
      <Badge color="red" variant="filled" size="sm" aria-label={`${leaks} leaks`}>
        {leaks}
      </Badge>
    </Tooltip>
  );
}
