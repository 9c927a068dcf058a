/**
 * The signed-in admin token, kept in sessionStorage: it lasts while the tab is open, is not shared
 * with other tabs, and never appears in a URL.
 */
const KEY = 'cortex-console-token';

export function savedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
