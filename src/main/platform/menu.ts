import { Menu, shell, type MenuItemConstructorOptions } from 'electron';

/**
 * Help pages the app itself links to. Only these https URLs open in the browser without asking; any other
 * link goes through a confirmation that names the host (security.ts).
 */
export const HELP_PAGES = {
  blockPublicAccess:
    'https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html',
  objectAcls: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html',
} as const;

export function isHelpPage(url: string): boolean {
  return (Object.values(HELP_PAGES) as string[]).includes(url);
}

/**
 * The application menu: Signet's own, small. Developer tools and reload exist only in development (a
 * packaged app has no way to open DevTools from the menu).
 */
export function menuTemplate(opts: {
  isDevelopment: boolean;
  isMac: boolean;
  openDataFolder: () => void;
}): MenuItemConstructorOptions[] {
  const help = (label: string, url: string): MenuItemConstructorOptions => ({
    label,
    click: () => void shell.openExternal(url),
  });
  return [
    ...(opts.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Data Folder', click: opts.openDataFolder },
        { type: 'separator' },
        opts.isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(opts.isDevelopment
          ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const)
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        help('Keeping Files Private (Amazon S3 Block Public Access)', HELP_PAGES.blockPublicAccess),
        help('How Object ACLs Work', HELP_PAGES.objectAcls),
      ],
    },
  ];
}

export function installMenu(opts: Parameters<typeof menuTemplate>[0]): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(opts)));
}
