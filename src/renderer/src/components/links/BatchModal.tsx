import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  FileInput,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Switch,
  Table,
  Text,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconDownload,
  IconFileSpreadsheet,
  IconLink,
} from '@tabler/icons-react';
import { useState } from 'react';
import {
  BATCH_COLUMNS,
  BATCH_MAX_CSV_CHARS,
  type BatchIssue,
  type BatchPreview,
} from '@shared/links/schemas';
import { formatBytes, formatCount, plural } from '../../lib/library-format';
import { useBatchIssue, useBatchPreview } from '../../lib/links-queries';
import { useAccounts, useSettings } from '../../lib/queries';
import { downloadFile } from './download';
import { formatLocalShort } from './expiry';

/** Rows the preview draws: enough to look through; the counts and the result file cover the rest. */
const PREVIEW_ROWS = 200;

const EXAMPLE = `${BATCH_COLUMNS.join(',')}
1042,ann@example.com,my-plugin,5,7d
1043,bob@example.com,products/ebook.pdf,,30d
1044,,my-plugin,1,2026-12-24T18:00:00Z
`;

/**
 * Issue links for many orders at once: choose a CSV (read here, in the window), see what each row would
 * link to and which rows have problems, issue, then save the CSV with a link per row.
 */
export function BatchModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size={960}
      title={
        <Group gap="xs">
          <IconFileSpreadsheet size={20} />
          <Text fw={700} size="lg">
            Issue links from a CSV
          </Text>
        </Group>
      }
    >
      {opened && <Batch onClose={onClose} />}
    </Modal>
  );
}

function Batch({ onClose }: { onClose: () => void }) {
  const settings = useSettings();
  const accounts = useAccounts();
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState<string | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [accountId, setAccountId] = useState<string | null>(null);
  const [preview, setPreview] = useState<BatchPreview | null>(null);
  const [result, setResult] = useState<BatchIssue | null>(null);
  const check = useBatchPreview();
  const issue = useBatchIssue();

  const noVerifier = settings.data?.verifierBaseUrl === '';
  const accountList = accounts.data ?? [];

  const runPreview = (text: string, account: string | null) => {
    setPreview(null);
    check.mutate({ csv: text, accountId: account ?? undefined }, { onSuccess: setPreview });
  };

  const choose = (chosen: File | null) => {
    setFile(chosen);
    setCsv(null);
    setPreview(null);
    setResult(null);
    setReadError(null);
    check.reset();
    issue.reset();
    if (!chosen) return;
    // Its size before reading it: a file of N bytes has at most N characters (main checks the text again).
    if (chosen.size > BATCH_MAX_CSV_CHARS) {
      setReadError(
        `This file is too big (${formatBytes(chosen.size)}). Split it into files of at most ${formatBytes(
          BATCH_MAX_CSV_CHARS,
        )}.`,
      );
      return;
    }
    void chosen.text().then(
      (text) => {
        setCsv(text);
        runPreview(text, accountId);
      },
      (error: Error) => setReadError(`Signet could not read ${chosen.name}: ${error.message}`),
    );
  };

  const outName = (file?.name ?? 'orders.csv').replace(/(\.csv)?$/i, '-links.csv');

  if (result) {
    return (
      <Stack gap="md">
        <Alert
          color={result.failed === 0 ? 'teal' : 'orange'}
          icon={result.failed === 0 ? <IconCircleCheck size={20} /> : <IconAlertTriangle size={20} />}
          title={`${plural(result.issued, 'link')} issued`}
        >
          {result.failed === 0
            ? 'Every row got its link. Save the CSV: it is your file with a url column added.'
            : `${plural(result.failed, 'row')} did not get a link; the error column of the CSV says why. Fix those rows in a copy of your file and import it again.`}
        </Alert>
        <Text size="sm" c="dimmed">
          The links are also on the Links page, where you can copy, check or revoke each one.
        </Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Done
          </Button>
          <Button leftSection={<IconDownload size={18} />} onClick={() => downloadFile(result.csv, outName)}>
            Save {outName}
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Text size="sm">
        One order per row, with a header row <Code>{BATCH_COLUMNS.join(',')}</Code>. <b>product</b> is a
        product slug or a file’s key in your library; <b>max</b> the number of downloads; <b>expires</b> how
        long the link works (<Code>24h</Code>, <Code>7d</Code>) or until when (
        <Code>2026-12-24T18:00:00Z</Code>). An empty max or expires takes your defaults from Settings. The
        email stays on this computer.{' '}
        <Anchor
          component="button"
          type="button"
          size="sm"
          onClick={() => downloadFile(EXAMPLE, 'orders-example.csv')}
        >
          Save an example file
        </Anchor>
      </Text>
      {noVerifier && (
        <Alert
          color="orange"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title="Set your verifier address in Settings"
        >
          A CSV gets verifier links, which need your verifier’s address. Set it in Settings first.
        </Alert>
      )}
      <Group align="flex-end" gap="md">
        <FileInput
          label="CSV file of orders"
          placeholder="Choose a .csv file"
          accept=".csv,text/csv"
          clearable
          w={360}
          leftSection={<IconFileSpreadsheet size={16} />}
          value={file}
          onChange={choose}
        />
        {accountList.length > 1 && (
          <Select
            label="Files from account"
            w={240}
            placeholder="The first account"
            data={accountList.map((a) => ({ value: a.id, label: a.name }))}
            value={accountId}
            onChange={(v) => {
              setAccountId(v);
              if (csv !== null) runPreview(csv, v);
            }}
          />
        )}
      </Group>
      {readError && (
        <Alert color="red" title="The file was not read">
          {readError}
        </Alert>
      )}
      {check.isPending && (
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">Checking every row…</Text>
        </Group>
      )}
      {check.isError && (
        <Alert color="red" title="The file could not be checked">
          {check.error.message}
        </Alert>
      )}
      {preview && <PreviewTable preview={preview} />}
      {issue.isError && (
        <Alert color="red" title="No links were issued">
          {issue.error.message}
        </Alert>
      )}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          leftSection={<IconLink size={18} />}
          disabled={!preview || preview.valid === 0 || csv === null}
          loading={issue.isPending}
          onClick={() =>
            csv !== null &&
            issue.mutate(
              { csv, accountId: accountId ?? preview?.accountId ?? undefined },
              { onSuccess: setResult },
            )
          }
        >
          {preview && preview.valid > 0 ? `Issue ${plural(preview.valid, 'link')}` : 'Issue links'}
        </Button>
      </Group>
    </Stack>
  );
}

function PreviewTable({ preview }: { preview: BatchPreview }) {
  const [problemsOnly, setProblemsOnly] = useState(false);
  // Warned rows are issued too; they are counted and listed with the problems so they are not missed.
  const warned = preview.rows.filter((r) => r.warning !== null).length;
  const rows = problemsOnly ? preview.rows.filter((r) => r.error || r.warning) : preview.rows;
  const shown = rows.slice(0, PREVIEW_ROWS);
  return (
    <Stack gap="xs" aria-label="Preview">
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm" fw={600}>
            {plural(preview.rows.length, 'row')}
            {preview.accountName ? ` · files from ${preview.accountName}` : ''}
          </Text>
          <Badge color="teal" variant="light">
            {formatCount(preview.valid)} ready
          </Badge>
          {preview.invalid > 0 && (
            <Badge color="red" variant="light">
              {plural(preview.invalid, 'problem')}
            </Badge>
          )}
          {warned > 0 && (
            <Badge color="orange" variant="light" leftSection={<IconAlertTriangle size={12} />}>
              {plural(warned, 'warning')}
            </Badge>
          )}
        </Group>
        {(preview.invalid > 0 || warned > 0) && (
          <Switch
            size="sm"
            label={warned > 0 ? 'Only rows with problems or warnings' : 'Only rows with problems'}
            checked={problemsOnly}
            onChange={(e) => setProblemsOnly(e.currentTarget.checked)}
          />
        )}
      </Group>
      {preview.invalid > 0 && (
        <Text size="sm" c="dimmed">
          Rows with a problem are skipped; the others are issued. The saved CSV says why for each skipped row.
        </Text>
      )}
      {warned > 0 && (
        <Text size="sm" c="orange.8" role="note" aria-label="Public files">
          {warned === 1
            ? '1 row links to a public file: anyone can download it without a link. The row is issued anyway; make the file private in the Library so that only your links work.'
            : `${formatCount(warned)} rows link to public files: anyone can download them without a link. The rows are issued anyway; make the files private in the Library so that only your links work.`}
        </Text>
      )}
      <Table.ScrollContainer minWidth={820} mah={360}>
        <Table stickyHeader striped verticalSpacing={4} fz="sm" aria-label="Rows to issue">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={56}>Line</Table.Th>
              <Table.Th>Order</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>File</Table.Th>
              <Table.Th w={64}>Max</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Problem or warning</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((r) => (
              <Table.Tr
                key={r.line}
                bg={
                  r.error
                    ? 'var(--mantine-color-red-light)'
                    : r.warning
                      ? 'var(--mantine-color-orange-light)'
                      : undefined
                }
                aria-label={`Line ${r.line}`}
              >
                <Table.Td>{r.line}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.order || '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.email || '—'}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {r.key ?? r.product}
                  {r.productSlug && r.key ? (
                    <Text size="xs" c="dimmed">
                      {r.productSlug}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{r.maxDownloads ?? (r.error ? '' : 'no limit')}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  {r.expiresAt ? formatLocalShort(r.expiresAt) : ''}
                </Table.Td>
                <Table.Td>
                  {r.error ? (
                    <Text size="sm" c="red" fw={500}>
                      {r.error}
                    </Text>
                  ) : r.warning ? (
                    <Stack gap={2}>
                      <Group gap={4} wrap="nowrap">
                        <IconAlertTriangle size={14} color="var(--mantine-color-orange-filled)" />
                        <Text size="sm" c="orange.8" fw={500}>
                          Ready, but public
                        </Text>
                      </Group>
                      <Text size="xs" c="orange.9">
                        {r.warning}
                      </Text>
                    </Stack>
                  ) : (
                    <Text size="sm" c="teal">
                      Ready
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {rows.length > shown.length && (
        <Text size="xs" c="dimmed">
          The first {formatCount(shown.length)} of {plural(rows.length, 'row')} are shown.
        </Text>
      )}
    </Stack>
  );
}
