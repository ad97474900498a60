import { chmod } from 'node:fs/promises';
import type { Session } from 'electron';

/**
 * What the window saves (the batch's CSV of links, a QR code) is a Chromium download, written with the umask's
 * mode (often 0644). The CSV holds customers' emails and working links: once a download completes, the file
 * becomes its owner's alone (0600), as `signet links batch` writes it. Windows keeps files private through the
 * profile's ACLs; chmod there would only touch the read-only bit.
 */
export function keepDownloadsPrivate(session: Session, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  session.on('will-download', (_event, item) => {
    item.once('done', (_done, state) => {
      if (state !== 'completed') return;
      // A file the owner moved or deleted at once has nothing left to protect.
      chmod(item.getSavePath(), 0o600).catch(() => undefined);
    });
  });
}
