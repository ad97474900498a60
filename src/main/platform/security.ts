import { dialog, shell, type Session, type WebContents } from 'electron';
import { isAppPage } from '../ipc/trusted-sender';
import { CONTENT_SECURITY_POLICY } from './csp';
import { isHelpPage } from './menu';

export { CONTENT_SECURITY_POLICY } from './csp';

/** Only https pages may be handed to the OS browser; `file:`, `javascript:`, custom schemes never. */
export function externalUrlToOpen(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

/**
 * Hands an https URL to the OS browser: at once for the app's own help pages, otherwise only after the user
 * confirmed a dialog that names the host (a page's link could point anywhere). Anything not https never opens.
 */
export async function openExternalSafely(raw: string): Promise<boolean> {
  const url = externalUrlToOpen(raw);
  if (!url) return false;
  if (!isHelpPage(url)) {
    const { response } = await dialog.showMessageBox({
      type: 'question',
      title: 'Open in your browser?',
      message: `Open a page on ${new URL(url).host} in your web browser?`,
      detail: url,
      buttons: ['Open in Browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    if (response !== 0) return false;
  }
  await shell.openExternal(url);
  return true;
}

/** Navigation and new windows are denied; an https link goes to the OS browser, through openExternalSafely. */
export function lockDownContents(contents: WebContents, appUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppPage(url, appUrl)) return;
    event.preventDefault();
    void openExternalSafely(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppPage(url, appUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    void openExternalSafely(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Writing to the clipboard (the Copy buttons of links and addresses): the only permission Signet's own page
 * gets. Reading the clipboard stays denied.
 */
const APP_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * No camera, microphone, notifications, geolocation, clipboard reads…: Signet needs none; its own page may
 * write to the clipboard. Adds the CSP to every response.
 */
export function lockDownSession(session: Session, appUrl: string): void {
  const allowed = (permission: string, url: string | undefined) =>
    APP_PERMISSIONS.has(permission) && url !== undefined && isAppPage(url, appUrl);
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowed(permission, details?.requestingUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowed(permission, requestingOrigin),
  );
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
}
