import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../form-csrf.js';
import type { Shell } from '../shell.js';

/** The one frame of every page: header with the product and its links, the content, no inline script or style. */
export function Layout(props: { shell: Shell; title: string; children: Child }) {
  const { shell, title } = props;
  const { t, branding, user } = shell;
  return (
    <html lang={t.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="csrf-token" content={shell.csrfToken} />
        <title>{`${title} · ${branding.productName}`}</title>
        <link rel="stylesheet" href={shell.assets.stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">
          {t.common.skipToContent}
        </a>
        <header class="top">
          <a class="brand" href="/">
            {branding.logoUrl ? <img src={branding.logoUrl} alt="" width="28" height="28" /> : null}
            <span>{branding.productName}</span>
          </a>
          <nav aria-label={t.common.mainNav}>
            {user ? <SignedInLinks shell={shell} /> : <SignedOutLinks shell={shell} />}
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          {shell.notice ? (
            <p class="notice" role="status">
              {shell.notice}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

const NavLink = (props: { shell: Shell; href: string; children: Child }) => (
  <a
    href={props.href}
    aria-current={
      props.shell.path === props.href || props.shell.path.startsWith(`${props.href}/`)
        ? 'page'
        : undefined
    }
  >
    {props.children}
  </a>
);

function SignedInLinks(props: { shell: Shell }) {
  const { shell } = props;
  const { t, user } = shell;
  return (
    <ul>
      <li>
        <NavLink shell={shell} href="/account">
          {t.common.account}
        </NavLink>
      </li>
      {user?.isAdmin ? (
        <li>
          <NavLink shell={shell} href="/admin">
            {t.common.admin}
          </NavLink>
        </li>
      ) : null}
      <li>
        <Form shell={shell} action="/logout" class="inline">
          <button type="submit" class="link">
            {t.common.signOut}
          </button>
        </Form>
      </li>
    </ul>
  );
}

function SignedOutLinks(props: { shell: Shell }) {
  const { shell } = props;
  return (
    <ul>
      <li>
        <NavLink shell={shell} href="/login">
          {shell.t.common.signIn}
        </NavLink>
      </li>
      <li>
        <NavLink shell={shell} href="/signup">
          {shell.t.common.signUp}
        </NavLink>
      </li>
    </ul>
  );
}

/** A POST form that carries the CSRF field; every form of the pages is one of these. */
export function Form(props: {
  shell: Shell;
  action: string;
  children: Child;
  class?: string;
  id?: string;
}) {
  return (
    <form method="post" action={props.action} class={props.class} id={props.id}>
      <input type="hidden" name={CSRF_FIELD} value={props.shell.csrfToken} />
      {props.children}
    </form>
  );
}

/** A script of our own bundle, allowed by this response's nonce. */
export const Script = (props: { shell: Shell; name: string }) => {
  const src = props.shell.assets.scripts[props.name];
  if (!src) throw new Error(`no browser script named ${props.name} (see browser/)`);
  return <script type="module" src={src} nonce={props.shell.nonce} />;
};
