import type { SenderInfo } from './router';

/**
 * A sender is trusted only when it is the main frame of the app's own page: the packaged `file://` index
 * (compared as a whole path, so another local file cannot pose as the app) or, in development, the
 * electron-vite dev server's origin.
 */
export function makeTrustedSenderCheck(appUrl: string): (sender: SenderInfo) => boolean {
  const app = new URL(appUrl);
  return (sender) => {
    if (!sender.isMainFrame) return false;
    let url: URL;
    try {
      url = new URL(sender.url);
    } catch {
      return false;
    }
    if (app.protocol === 'file:') return url.protocol === 'file:' && url.pathname === app.pathname;
    return url.origin === app.origin;
  };
}
