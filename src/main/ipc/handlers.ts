import { VERIFIER_CONFIG_WARNING } from '@shared/links/schemas';
import { UserFacingError } from '../services/errors';
import type { MainServices } from '../wiring';
import type { Handlers } from './router';
import type { JobView } from '@shared/jobs/schemas';
import { BACKUP_FILE_EXTENSION } from '@shared/backup/schemas';
import { syncTaskId, verifyTaskId } from '@shared/tasks/task-ids';

/**
 * A job started for the window runs on in main; the window follows it through job:progress events. Its ending
 * (or a failure that stopped it) is recorded in the job and the activity log, so the promise is only observed.
 */
function background(started: { job: JobView; done: Promise<JobView> }): JobView {
  started.done.catch(() => undefined);
  return started.job;
}

/** One handler per contract channel; each is a thin call into a service. */
export function createHandlers(s: MainServices): Handlers {
  return {
    'app:info': () => s.facts,
    'settings:get': () => s.settings.get(),
    'settings:update': (patch) => {
      const next = s.settings.update(patch);
      s.emit('settings:changed', next);
      return next;
    },
    'keychain:status': async () => {
      const status = await s.secrets.status();
      return {
        available: status.available,
        backend: s.secrets.backend,
        message: status.available ? null : status.message,
      };
    },
    'activity:list': ({ limit }) => s.activity.recent(limit),
    'accounts:list': () => s.accounts.list(),
    'accounts:add': (input) => s.accounts.add(input),
    'accounts:update': (input) => s.accounts.update(input),
    'accounts:remove': ({ id }) => s.accounts.remove(id),
    'accounts:test': ({ id }) => s.accounts.test(id),
    'accounts:verifier-key': ({ id, key }) => s.accounts.setVerifierKey(id, key),
    'library:buckets': () => s.library.buckets(),
    'library:page': (input) => s.library.page(input),
    'library:object': ({ id }) => s.library.object(id),
    'library:sync': (input) =>
      s.tasks.run(
        syncTaskId(input.accountId, input.bucket),
        `Sync of ${input.bucket}`,
        ({ signal, progress }) => s.library.sync(input, { signal, onProgress: progress }),
        (r) => `${r.objects} files listed, ${r.added} new, ${r.updated} changed, ${r.removed} removed.`,
      ),
    'library:verify': ({ selection }) =>
      s.tasks.run(
        verifyTaskId(selection.kind === 'ids' ? selection.bucketId : selection.query.bucketId),
        'Access check',
        ({ signal, progress }) => s.library.verify(selection, { signal, onProgress: progress }),
        (r) => `${r.checked} checked: ${r.readable} readable by strangers, ${r.leaks.length} leak(s).`,
      ),
    'keys:list': () => s.keys.list(),
    'keys:create': () => s.keys.create(),
    'keys:retire': ({ kid }) => s.keys.retire(kid),
    'links:create': (input) => s.links.create(input),
    'links:list': (input) => s.links.list(input),
    'links:revoke': ({ jti }) => s.links.revoke(jti),
    'links:reissue': (input) => s.links.reissue(input),
    'watch:status': () => ({ lastPassAt: s.leakWatch.lastPassAt() }),
    'watch:run': () => s.leakWatch.runNow(),
    'links:usage': ({ jtis }) => s.links.usage(jtis),
    'links:batch-preview': ({ csv, accountId }) => s.linkBatch.preview(csv, accountId),
    'links:batch-issue': ({ csv, accountId }) => s.linkBatch.issue(csv, accountId),
    'verifier:export-config': async (input) => {
      if (!s.saveFile) throw new UserFacingError('internal', 'Saving files is not available here.');
      const file = await s.saveFile({
        title: `Save the verifier config. ${VERIFIER_CONFIG_WARNING}`,
        defaultName: 'signet-verifier.json',
        filters: [{ name: 'JSON', extensions: ['json'] }],
      });
      if (file === null)
        return {
          file: null,
          kids: [],
          stores: [],
          adminTokenCreated: false,
          warnings: [],
          fullPermissionKeys: [],
        };
      return s.verifierConfig.write(file, input);
    },
    'verifier:admin-token-status': async () => ({ set: await s.adminToken.isSet() }),
    'verifier:admin-token-set': async ({ token }) => {
      await s.adminToken.set(token);
      return { set: true };
    },
    // The window uploads only paths main handed out: chosen in its Open dialog, or dropped (files:dropped).
    'files:choose': async () => {
      if (!s.openFiles) throw new UserFacingError('internal', 'Choosing files is not available here.');
      return { paths: s.pathGrants.grant(await s.openFiles({ title: 'Choose files to upload' })) };
    },
    'files:dropped': ({ paths }) => ({ paths: s.pathGrants.grant(paths) }),
    'jobs:list': ({ limit }) => s.jobs.list(limit),
    'jobs:get': ({ id, limit }) => s.jobs.details(id, limit),
    'jobs:file-now': (file) => {
      const place = s.jobs.currentPlace(file);
      return place ? { ...s.library.object(place.objectId), bucketId: place.bucketId } : null;
    },
    'jobs:upload-plan': (input) => {
      s.pathGrants.check(input.paths);
      return s.jobs.planUpload(input);
    },
    'jobs:upload': async (input) => {
      s.pathGrants.check(input.paths);
      return background(await s.jobs.startUpload(input));
    },
    'jobs:access-preview': (input) => s.jobs.previewAccess(input),
    'jobs:access': async (input) => background(await s.jobs.startAccess(input)),
    'jobs:pause': ({ id }) => s.jobs.pause(id),
    'jobs:resume': ({ id }) => background(s.jobs.resume(id)),
    'jobs:cancel': ({ id }) => s.jobs.cancel(id),
    'backup:status': () => s.backup.status(),
    'backup:create': async ({ passphrase }) => {
      if (!s.saveFile) throw new UserFacingError('internal', 'Saving files is not available here.');
      const file = await s.saveFile({
        title: 'Save the backup (keep it somewhere other than this computer)',
        defaultName: `signet-backup-${new Date().toISOString().slice(0, 10)}.${BACKUP_FILE_EXTENSION}`,
        filters: [{ name: 'Signet backup', extensions: [BACKUP_FILE_EXTENSION] }],
      });
      if (file === null) return { file: null, accounts: 0, keys: 0, links: 0, createdAt: null, warnings: [] };
      return s.backup.save(file, passphrase);
    },
    'backup:restore': async ({ passphrase, replace }) => {
      if (!s.openFiles) throw new UserFacingError('internal', 'Choosing files is not available here.');
      const [file] = await s.openFiles({
        title: 'Choose the backup to restore',
        multiple: false,
        filters: [
          { name: 'Signet backup', extensions: [BACKUP_FILE_EXTENSION] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      if (file === undefined) return { file: null, accounts: 0, keys: 0, links: 0, createdAt: null };
      const restored = await s.backup.restoreFile(file, passphrase, { replace });
      s.emit('settings:changed', s.settings.get());
      return { file, ...restored };
    },
    'tasks:cancel': ({ taskId }) => ({ cancelled: s.tasks.cancel(taskId) }),
  };
}
