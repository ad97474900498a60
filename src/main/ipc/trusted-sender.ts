import type { SenderInfo } from './router';

/**
 * True when `target` is the app's own page: the packaged `file://` index (compared as a whole path, so
 * another local file cannot pose as the app) or, in development, a page of the dev server's origin.
 */
export function isAppPage(target: string, appUrl: string): boolean {
  try {
    const t = new URL(target);
    const a = new URL(appUrl);
    return a.protocol === 'file:'
      ? t.protocol === 'file:' && t.pathname === a.pathname
      : t.origin === a.origin;
  } catch {
    return false;
  }
}

/** A sender is trusted only when it is the main frame of the app's own page. */
export function makeTrustedSenderCheck(appUrl: string): (sender: SenderInfo) => boolean {
  return (sender) => sender.isMainFrame && isAppPage(sender.url, appUrl);
}
