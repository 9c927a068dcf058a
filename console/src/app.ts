/**
 * The console's shell: sign-in, the navigation, and a hash router (`#/tenants`, `#/tenants/acme/tokens`,
 * `#/audit`, `#/usage`) so the back button and bookmarks work without the server knowing the routes.
 * The token is never part of a route.
 */
import { type Admin, adminClient } from './api.js';
import { h, replace } from './dom.js';
import { errorMessage, isUnauthenticated } from './errors.js';
import type { Ctx, Page } from './page.js';
import { auditPage } from './pages/audit.js';
import { signInPage } from './pages/sign-in.js';
import { TENANT_TABS, type TenantTab, tenantPage } from './pages/tenant.js';
import { tenantsPage } from './pages/tenants.js';
import { usagePage } from './pages/usage.js';
import { forgetToken, savedToken, saveToken } from './session.js';

type Route = (ctx: Ctx, m: RegExpExecArray) => Page;

const ROUTES: [RegExp, Route][] = [
  [/^#\/tenants$/, (ctx) => tenantsPage(ctx)],
  [
    new RegExp(`^#/tenants/([A-Za-z0-9][A-Za-z0-9_-]{0,63})/(${TENANT_TABS.join('|')})$`),
    (ctx, m) => tenantPage(ctx, m[1]!, m[2] as TenantTab),
  ],
  [/^#\/audit$/, (ctx) => auditPage(ctx)],
  [/^#\/usage$/, (ctx) => usagePage(ctx)],
];

const NAV: [string, string][] = [
  ['#/tenants', 'Tenants'],
  ['#/audit', 'Audit log'],
  ['#/usage', 'Usage'],
];

export function startConsole(root: HTMLElement): void {
  let leave = new AbortController();

  const signOut = (message?: string) => {
    forgetToken();
    leave.abort();
    window.removeEventListener('hashchange', render);
    showSignIn(message);
  };

  const showSignIn = (message?: string) => {
    document.title = 'Sign in · cortex-ts';
    replace(
      root,
      signInPage({
        message,
        signIn: async (token) => {
          // A cheap read proves the token before anything is kept.
          await adminClient(token).listTenants({ pageSize: 1 });
          saveToken(token);
          if (!/^#\/./.test(window.location.hash)) window.location.hash = '#/tenants';
          showShell(token);
        },
      }),
    );
  };

  const main = h('main', { id: 'main', tabindex: -1 });
  let admin: Admin | undefined;

  const render = () => {
    if (!admin) return;
    leave.abort();
    leave = new AbortController();
    const hash = window.location.hash;
    const ctx: Ctx = {
      admin,
      signal: leave.signal,
      fail: (err, show) => {
        if (leave.signal.aborted) return;
        if (isUnauthenticated(err)) signOut(`Signed out: ${errorMessage(err)}`);
        else show(errorMessage(err));
      },
    };
    for (const [re, route] of ROUTES) {
      const m = re.exec(hash);
      if (!m) continue;
      const page = route(ctx, m);
      document.title = `${page.title} · cortex-ts`;
      replace(main, page.el);
      for (const a of root.querySelectorAll<HTMLAnchorElement>('nav a')) {
        const current = hash.startsWith(a.getAttribute('href')!);
        if (current) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
      return;
    }
    window.location.replace('#/tenants');
  };

  const showShell = (token: string) => {
    admin = adminClient(token);
    replace(
      root,
      h(
        'header',
        null,
        h('a', { class: 'brand', href: '#/tenants' }, 'cortex-ts'),
        h(
          'nav',
          { 'aria-label': 'Main' },
          NAV.map(([href, label]) => h('a', { href }, label)),
        ),
        h('button', { type: 'button', class: 'sign-out', onclick: () => signOut() }, 'Sign out'),
      ),
      main,
    );
    window.addEventListener('hashchange', render);
    render();
  };

  const token = savedToken();
  if (token) showShell(token);
  else showSignIn();
}
