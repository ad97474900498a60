import { Alert, Button, Group, List, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconFileExport } from '@tabler/icons-react';
import { useState } from 'react';
import { ListenSchema, VERIFIER_CONFIG_WARNING, type VerifierExport } from '@shared/links/schemas';
import { adminUrlFor } from '@shared/links/verifier-listen-address';
import { useSettings, useUpdateSettings } from '../../lib/queries';
import { useExportVerifierConfig } from '../../lib/links-queries';

/**
 * Export the verifier config: the addresses it listens on, then the file (written by main where the owner
 * chooses), what went into it, and the admin API address to save in Settings when one was given.
 */
export function VerifierExportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
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
