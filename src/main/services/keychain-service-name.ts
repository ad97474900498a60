/**
 * The service name under which Signet keeps its entries in the OS keychain. Shared by the app
 * (src/main/index.ts) and the command line (src/cli), so both see the same secrets; kept free of
 * Electron so the command line can import it.
 */
export const KEYCHAIN_SERVICE = 'Signet';
