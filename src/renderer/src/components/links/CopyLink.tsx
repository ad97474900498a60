import { ActionIcon, Button, Group, Textarea, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';

/** What the refusal notice says (a link by default). */
interface Refusal {
  title: string;
  message: string;
}
const LINK_REFUSED: Refusal = {
  title: 'The link was not copied',
  message: 'The system clipboard refused it. Select the link and press Ctrl+C (⌘C on a Mac).',
};

/**
 * Copies `text` with navigator.clipboard. When the clipboard refuses (no permission, window not focused) the
 * user is told what to do instead, and `onRefused` can select the text for a manual Ctrl+C.
 */
export function useCopy(text: string, onRefused?: () => void, refusal: Refusal = LINK_REFUSED) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  const copy = () =>
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => {
        onRefused?.();
        notifications.show({ color: 'orange', ...refusal });
      },
    );
  return { copied, copy };
}

/** The link in full (it wraps, so nothing is hidden), with a big Copy button beside it. */
export function CopyLink({ url }: { url: string }) {
  const field = useRef<HTMLTextAreaElement>(null);
  const { copied, copy } = useCopy(url, () => field.current?.select());
  return (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <Textarea
        ref={field}
        readOnly
        value={url}
        aria-label="Download link"
        autosize
        minRows={2}
        maxRows={5}
        ff="monospace"
        styles={{ input: { fontSize: 12, wordBreak: 'break-all' } }}
        style={{ flex: 1 }}
        onFocus={(e) => e.currentTarget.select()}
      />
      <Button
        onClick={() => void copy()}
        color={copied ? 'teal' : undefined}
        leftSection={copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
        w={124}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </Group>
  );
}

/** A small copy icon for a table row. */
export function CopyLinkIcon({ url, label }: { url: string; label: string }) {
  const { copied, copy } = useCopy(url);
  return (
    <Tooltip label={copied ? 'Copied' : 'Copy link'}>
      <ActionIcon
        variant="subtle"
        color={copied ? 'teal' : 'gray'}
        onClick={() => void copy()}
        aria-label={label}
      >
        {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}
