import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Loader,
  Modal,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconFileExport, IconKey, IconRotateClockwise } from '@tabler/icons-react';
import { useState } from 'react';
import {
  AdminTokenSchema,
  ListenSchema,
  VERIFIER_CONFIG_WARNING,
  type SigningKeyView,
  type VerifierExport,
} from '../../../../shared/links/schemas';
import { verifierAddressProblem } from '../../../../shared/settings';
import { formatDateTime } from '../../lib/library-format';
import { useSettings, useUpdateSettings } from '../../lib/queries';
import {
  useAdminTokenStatus,
  useCreateSigningKey,
  useExportVerifierConfig,
  useRetireSigningKey,
  useSetAdminToken,
  useSigningKeys,
} from '../../lib/links-queries';

const AFTER_CHANGE =
  'Your verifier learns about key changes only from its config file: export it again and install it on your server.';

/**
 * Settings → Download link keys: the signing keys (kid, created, active / still verifying / retired), making
 * a new one, retiring an old one, the verifier admin token and the verifier config export.
 */
export function LinkKeysCard() {
  const list = useSigningKeys();
  const create = useCreateSigningKey();
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [retiring, setRetiring] = useState<SigningKeyView | null>(null);
  const [exporting, setExporting] = useState(false);

  const keys = list.data ?? [];
  const rotate = () =>
    create.mutate(undefined, {
      onSuccess: (key) => {
        setConfirmRotate(false);
        notifications.show({
          color: 'teal',
          title: `New key ${key.kid} is active`,
          message: `New links are signed with it. ${AFTER_CHANGE}`,
          autoClose: 10_000,
        });
      },
    });

  return (
    <Card withBorder padding="lg" component="section" aria-label="Download link keys">
      <Stack>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div style={{ flex: 1 }}>
            <Title order={4}>Download link keys</Title>
            <Text size="sm" c="dimmed" maw={520}>
              Verifier links are signed with a key kept in your system keychain, never in a file. Your
              verifier checks each link with the same key.
            </Text>
          </div>
          <Button
            variant="default"
            style={{ flex: 'none' }}
            leftSection={keys.length === 0 ? <IconKey size={18} /> : <IconRotateClockwise size={18} />}
            onClick={() => (keys.length === 0 ? rotate() : setConfirmRotate(true))}
            loading={create.isPending && !confirmRotate}
          >
            {keys.length === 0 ? 'Make a key' : 'Rotate (new key)'}
          </Button>
        </Group>
        {list.isPending ? (
          <Loader size="sm" />
        ) : list.isError ? (
          <Alert color="red" title="Could not read your keys">
            {list.error.message}
          </Alert>
        ) : keys.length === 0 ? (
          <Text size="sm" c="dimmed">
            No key yet. Press “Make a key” before you create verifier links or export the verifier config.
          </Text>
        ) : (
          <Table aria-label="Signing keys" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key id</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((k) => (
                <Table.Tr key={k.kid} aria-label={`Key ${k.kid}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {k.kid}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(k.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      {k.retiredAt ? (
                        <Badge color="gray" variant="light">
                          Retired {formatDateTime(k.retiredAt)}
                        </Badge>
                      ) : k.active ? (
                        <Tooltip label="New links are signed with this key">
                          <Badge color="teal" variant="light">
                            Active
                          </Badge>
                        </Tooltip>
                      ) : (
                        <Tooltip label="Links signed with it keep working until you retire it">
                          <Badge color="blue" variant="light">
                            Still verifies
                          </Badge>
                        </Tooltip>
                      )}
                      {/* A retired key is meant to leave the verifier: whether it was exported no longer matters. */}
                      {!k.retiredAt && k.exportedAt === null && (
                        <Tooltip label="Your verifier refuses links signed with this key until you export the verifier config and install it">
                          <Badge color="orange" variant="light">
                            Not yet exported
                          </Badge>
                        </Tooltip>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">
                    {!k.retiredAt &&
                      (k.active ? (
                        <Tooltip label="New links need an active key: rotate first, then retire this one">
                          <span>
                            <Button size="compact-sm" variant="subtle" color="red" disabled>
                              Retire
                            </Button>
                          </span>
                        </Tooltip>
                      ) : (
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red"
                          onClick={() => setRetiring(k)}
                          aria-label={`Retire key ${k.kid}`}
                        >
                          Retire
                        </Button>
                      ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {create.isError && (
          <Alert color="red" title="No new key was made">
            {create.error.message}
          </Alert>
        )}
        <AdminToken />
        <Group justify="space-between" align="center" wrap="nowrap" gap="md">
          <Text size="sm" c="dimmed" style={{ flex: 1 }}>
            The verifier config file holds everything your verifier needs: the keys that still verify, the
            storage accounts and the admin token.
          </Text>
          <Button
            style={{ flex: 'none' }}
            leftSection={<IconFileExport size={18} />}
            onClick={() => setExporting(true)}
          >
            Export verifier config…
          </Button>
        </Group>
      </Stack>

      <Modal
        opened={confirmRotate}
        onClose={() => setConfirmRotate(false)}
        title={<Text fw={700}>Make a new signing key?</Text>}
      >
        <Stack>
          <Text size="sm">
            New links are signed with the new key. Links you sent so far keep working: the old key still
            verifies until you retire it.
          </Text>
          <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
            {AFTER_CHANGE} Until then, new links are refused by your verifier.
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmRotate(false)}>
              Cancel
            </Button>
            <Button loading={create.isPending} onClick={rotate}>
              Make a new key
            </Button>
          </Group>
        </Stack>
      </Modal>
      <RetireModal keyView={retiring} onClose={() => setRetiring(null)} />
      <ExportModal opened={exporting} onClose={() => setExporting(false)} />
    </Card>
  );
}

function RetireModal({ keyView, onClose }: { keyView: SigningKeyView | null; onClose: () => void }) {
  const retire = useRetireSigningKey();
  const close = () => {
    retire.reset();
    onClose();
  };
  return (
    <Modal opened={keyView !== null} onClose={close} title={<Text fw={700}>Retire key {keyView?.kid}?</Text>}>
      {keyView && (
        <Stack>
          <Text size="sm">
            Links signed with <b>{keyView.kid}</b> stop working once your verifier has a config without it.
            This cannot be undone: customers who still need a download get a new link.
          </Text>
          <Text size="sm" c="dimmed">
            {AFTER_CHANGE}
          </Text>
          {retire.isError && (
            <Alert color="red" title="The key was not retired">
              {retire.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep the key
            </Button>
            <Button
              color="red"
              loading={retire.isPending}
              onClick={() =>
                retire.mutate(keyView.kid, {
                  onSuccess: () => {
                    notifications.show({
                      color: 'teal',
                      title: `Key ${keyView.kid} retired`,
                      message: AFTER_CHANGE,
                      autoClose: 10_000,
                    });
                    close();
                  },
                })
              }
            >
              Retire key
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The admin token Signet sends to the verifier to revoke links and read downloads (kept in the keychain). */
function AdminToken() {
  const status = useAdminTokenStatus();
  const save = useSetAdminToken();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const parsed = AdminTokenSchema.safeParse(value);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? 'Not a valid token');
      return;
    }
    save.mutate(parsed.data, {
      onSuccess: () => {
        setEditing(false);
        setValue('');
        notifications.show({ color: 'teal', message: 'Verifier admin token saved in your keychain.' });
      },
      onError: (e) => setError(e.message),
    });
  };

  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Verifier admin token
        </Text>
        {status.data &&
          (status.data.set ? (
            <Badge color="teal" variant="light">
              Set
            </Badge>
          ) : (
            <Badge color="gray" variant="light">
              Not set
            </Badge>
          ))}
      </Group>
      <Text size="xs" c="dimmed">
        Lets Signet revoke links and read their downloads at your verifier. It is kept in your keychain; the
        config export makes one when none is set.
      </Text>
      {editing ? (
        <Group align="flex-start" gap="xs">
          <PasswordInput
            aria-label="Verifier admin token"
            placeholder="The adminToken of your verifier’s config"
            w={360}
            value={value}
            error={error}
            onChange={(e) => {
              setValue(e.currentTarget.value);
              setError(null);
            }}
          />
          <Button onClick={submit} loading={save.isPending}>
            Save token
          </Button>
          <Button variant="default" onClick={() => setEditing(false)}>
            Cancel
          </Button>
        </Group>
      ) : (
        <Group>
          <Button size="compact-sm" variant="light" onClick={() => setEditing(true)}>
            {status.data?.set ? 'Replace token…' : 'Enter token…'}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ExportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const exporter = useExportVerifierConfig();
  const [listen, setListen] = useState('127.0.0.1:8787');
  const [adminListen, setAdminListen] = useState('');
  const [result, setResult] = useState<VerifierExport | null>(null);
  // The admin API address that goes with the config just saved, offered for Settings (null: nothing to offer).
  const [offerAdminUrl, setOfferAdminUrl] = useState<string | null>(null);
  const listenOk = ListenSchema.safeParse(listen);
  // Optional: empty keeps the admin API and /metrics on the links' address.
  const adminOk = adminListen.trim() === '' ? null : ListenSchema.safeParse(adminListen.trim());
  const close = () => {
    exporter.reset();
    setResult(null);
    setOfferAdminUrl(null);
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      size={600}
      title={<Text fw={700}>Export the verifier config</Text>}
    >
      <Stack>
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={20} />}
          title="Keep this file secret"
        >
          {VERIFIER_CONFIG_WARNING}
        </Alert>
        {result ? (
          result.file === null ? (
            <Text size="sm">Export cancelled: no file was written.</Text>
          ) : (
            <>
              <Alert color="teal" title="Verifier config saved">
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  Written to <b>{result.file}</b>, readable by you alone.
                </Text>
                <List size="sm" mt={6}>
                  <List.Item>Keys: {result.kids.join(', ') || 'none'}</List.Item>
                  <List.Item>Storage accounts: {result.stores.join(', ') || 'none'}</List.Item>
                  {result.warnings.map((w) => (
                    <List.Item key={w} c="orange">
                      {w}
                    </List.Item>
                  ))}
                  {result.adminTokenCreated && (
                    <List.Item>A new admin token was made and saved in your keychain.</List.Item>
                  )}
                </List>
                <Text size="sm" mt={6}>
                  Copy it to your shop’s server and start the verifier with{' '}
                  <Text span ff="monospace" size="sm">
                    signet-verifier --config FILE
                  </Text>
                  .
                </Text>
              </Alert>
              {result.fullPermissionKeys.length > 0 && (
                <Alert
                  color="orange"
                  variant="light"
                  icon={<IconAlertTriangle size={20} />}
                  title="A full-permission key is going to your server"
                >
                  <Stack gap={6}>
                    {result.fullPermissionKeys.map((f) => (
                      <Text key={f.store} size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {f.warning}
                      </Text>
                    ))}
                  </Stack>
                </Alert>
              )}
              {offerAdminUrl && <AdminUrlOffer url={offerAdminUrl} />}
            </>
          )
        ) : (
          <Stack gap="sm">
            <TextInput
              label="Address the verifier listens on"
              description="HOST:PORT on your server; your web server forwards /downloads/ to it"
              value={listen}
              onChange={(e) => setListen(e.currentTarget.value)}
              error={listenOk.success ? null : listenOk.error.issues[0]?.message}
            />
            <TextInput
              label="Address for its admin API (optional)"
              description="HOST:PORT for revoking links and /metrics, apart from the downloads: keep it on 127.0.0.1 or a private address. Empty: the same address as the downloads."
              placeholder="127.0.0.1:8788"
              value={adminListen}
              onChange={(e) => setAdminListen(e.currentTarget.value)}
              error={adminOk && !adminOk.success ? adminOk.error.issues[0]?.message : null}
            />
          </Stack>
        )}
        {exporter.isError && (
          <Alert color="red" title="The config was not exported">
            {exporter.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {result ? 'Done' : 'Cancel'}
          </Button>
          {!result && (
            <Button
              leftSection={<IconFileExport size={18} />}
              loading={exporter.isPending}
              disabled={!listenOk.success || (adminOk !== null && !adminOk.success)}
              onClick={() => {
                const admin = adminOk?.success ? adminOk.data : undefined;
                exporter.mutate(
                  { listen, ...(admin ? { adminListen: admin } : {}) },
                  {
                    onSuccess: (done) => {
                      setResult(done);
                      setOfferAdminUrl(done.file !== null && admin ? adminUrlFor(admin) : null);
                    },
                  },
                );
              }}
            >
              Choose where to save…
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * After an export with an admin API address: Signet revokes links there, so offer to save it as the admin API
 * address (only while that setting is empty, so an address the owner entered, e.g. an SSH tunnel, is kept).
 */
function AdminUrlOffer({ url }: { url: string }) {
  const settings = useSettings();
  const update = useUpdateSettings();
  if (settings.data?.verifierAdminUrl !== '') return null;
  return (
    <Alert color="blue" title="Revoking links at the admin API address">
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        Your verifier answers revocations and download counts on their own address. Save <b>{url}</b> as the
        admin API address in Settings? This computer must be able to reach it, for example through an SSH
        tunnel to your server; you can change it in Settings.
      </Text>
      {update.isError && (
        <Text size="sm" c="red" mt={6}>
          {update.error.message}
        </Text>
      )}
      <Group mt="sm">
        <Button
          size="compact-sm"
          loading={update.isPending}
          onClick={() =>
            update.mutate(
              { verifierAdminUrl: url },
              {
                onSuccess: () =>
                  notifications.show({ color: 'teal', message: `Admin API address saved: ${url}` }),
              },
            )
          }
        >
          Save as admin API address
        </Button>
      </Group>
    </Alert>
  );
}

/** HOST:PORT from the export → the address Signet calls; a listen-on-all host is reached on this computer. */
function adminUrlFor(listen: string): string | null {
  const at = listen.lastIndexOf(':');
  const host = listen.slice(0, at);
  const port = Number(listen.slice(at + 1));
  // Port 0 is picked by the system at start-up: there is no address to save yet.
  if (port === 0) return null;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  const url = `http://${reachable}:${port}`;
  // The admin token travels to it: plain http:// is accepted only to this computer (the settings rule).
  return verifierAddressProblem(url) === null ? url : null;
}
