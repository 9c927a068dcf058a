/** Sign in with an admin (or root) token; a refused token says why and stays on this page. */
import { field, h } from '../dom.js';
import { errorMessage } from '../errors.js';
import { notice } from '../ui.js';

export interface SignInOptions {
  /** Why the user is here again (signed out, token refused), if anything. */
  message?: string | undefined;
  /** Checks the token and opens the console; throws when the server refuses it. */
  signIn(token: string): Promise<void>;
}

export function signInPage(o: SignInOptions): HTMLElement {
  const status = notice();
  if (o.message) status.error(o.message);
  const token = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        status.clear();
        submit.disabled = true;
        try {
          await o.signIn(token.value.trim());
        } catch (err) {
          status.error(`Sign in failed: ${errorMessage(err)}`);
          token.select();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h1', null, 'cortex-ts console'),
    h('p', null, 'Sign in with an admin token (or the root token). It is kept in this tab only.'),
    field('Token', token),
    submit,
    status.el,
  );
  return h('div', { class: 'sign-in-page' }, form);
}
