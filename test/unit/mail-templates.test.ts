import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { templateNames } from '../../src/mail/template-variables.js';
import { DEFAULT_TEMPLATES_DIR, loadMailTemplates } from '../../src/mail/templates.js';

const common = { productName: 'Acme', accentColor: '#123456', email: 'ann@example.com' };

/** A fresh override folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const refusal = (dir: string): string => {
  try {
    loadMailTemplates(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the templates loaded');
};

describe('mail templates', () => {
  it('ship a text and an HTML part with a subject for every template', () => {
    const templates = loadMailTemplates();
    for (const name of templateNames) {
      const mail = templates.render(name, {
        ...common,
        link: 'https://auth.example.com/x?token=t',
        lifetime: '1 hour',
        ip: '192.0.2.1',
        accountLink: 'https://auth.example.com/account',
        signInLink: 'https://auth.example.com/login',
        remaining: 3,
        method: 'totp',
      } as never);
      expect(mail.subject, name).not.toBe('');
      expect(mail.text, name).not.toMatch(/\{\{|\}\}/);
      expect(mail.html, name).toMatch(/^<!doctype html>/);
      expect(mail.html, name).toContain('ann@example.com');
    }
  });

  it('fill placeholders raw in the text and the subject, HTML-escaped in the HTML', () => {
    const templates = loadMailTemplates();
    const name = `<script>alert("x")</script> & O'Brien`;
    const mail = templates.render('magic_link', {
      ...common,
      productName: name,
      link: 'https://auth.example.com/magic-link?token=a&b',
      lifetime: '15 minutes',
    });
    expect(mail.text).toContain(name);
    expect(mail.text).toContain('https://auth.example.com/magic-link?token=a&b\n');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien',
    );
    expect(mail.html).toContain('href="https://auth.example.com/magic-link?token=a&amp;b"');
  });

  it('keep a subject on one line whatever a variable holds', () => {
    const dir = folder({
      'verify_email.txt': 'Subject: Welcome to {{productName}}\n\n{{link}}\n',
    });
    const mail = loadMailTemplates(dir).render('verify_email', {
      ...common,
      productName: 'Acme\r\nBcc: victim@example.com',
      link: 'l',
      lifetime: '1 hour',
    });
    expect(mail.subject).toBe('Welcome to Acme Bcc: victim@example.com');
  });

  it('take an override file by file; the rest stay the defaults', () => {
    const dir = folder({
      'verify_email.txt':
        'Subject: Confirm for {{ productName }}\n\nGo to {{link}} ({{lifetime}}).\n',
    });
    const templates = loadMailTemplates(dir);
    const vars = { ...common, link: 'https://x/verify-email?token=t', lifetime: '2 hours' };
    const mail = templates.render('verify_email', vars);
    expect(mail.subject).toBe('Confirm for Acme');
    expect(mail.text).toBe('Go to https://x/verify-email?token=t (2 hours).\n');
    expect(mail.html).toBe(loadMailTemplates().render('verify_email', vars).html);
  });

  it('refuse an unknown placeholder, naming the file, the line and what the template takes', () => {
    const dir = folder({ 'reset_password.html': '<p>{{link}}</p>\n<p>{{tokne}}</p>\n' });
    expect(refusal(dir)).toBe(
      `mail.templatesDir: ${join(dir, 'reset_password.html')}:2: unknown placeholder {{tokne}} (reset_password takes {{productName}}, {{accentColor}}, {{email}}, {{link}}, {{lifetime}})`,
    );
  });

  it('count lines of a text template from the top of its file', () => {
    const dir = folder({ 'magic_link.txt': 'Subject: Hi\n\nline 3\n{{link}} {{nope}}\n' });
    expect(refusal(dir)).toMatch(/magic_link\.txt:4: unknown placeholder \{\{nope\}\}/);
  });

  it('refuse a placeholder of another template, a malformed one and a missing subject', () => {
    expect(refusal(folder({ 'factor_added.txt': 'Subject: x\n\n{{link}}\n' }))).toMatch(
      /unknown placeholder \{\{link\}\} \(factor_added takes/,
    );
    expect(refusal(folder({ 'magic_link.txt': 'Subject: x\n\n{{link}} {{lifetime\n' }))).toMatch(
      /magic_link\.txt:3: an unclosed or malformed placeholder/,
    );
    expect(refusal(folder({ 'magic_link.txt': 'Sign in: {{link}}\n' }))).toMatch(
      /magic_link\.txt:1: the first line must be "Subject: …"/,
    );
  });

  it('refuse a template that drops the link carrying its token', () => {
    expect(refusal(folder({ 'reset_password.html': '<p>Reset it.</p>' }))).toMatch(
      /reset_password\.html: reset_password must contain \{\{link\}\}/,
    );
  });

  it('refuse a file that names no template, and a folder that is not there', () => {
    expect(refusal(folder({ 'verify-email.txt': 'Subject: x\n\n{{link}}' }))).toMatch(
      /verify-email\.txt: no template is called verify-email \(known: verify_email, /,
    );
    expect(refusal(join(tmpdir(), 'gatehouse-no-such-folder'))).toMatch(
      /gatehouse-no-such-folder is not a readable folder/,
    );
  });

  it('refuse a missing template among the defaults', () => {
    const defaults = folder({});
    for (const name of templateNames.filter((n) => n !== 'password_changed'))
      for (const ext of ['txt', 'html'])
        copyFileSync(
          join(DEFAULT_TEMPLATES_DIR, `${name}.${ext}`),
          join(defaults, `${name}.${ext}`),
        );
    copyFileSync(
      join(DEFAULT_TEMPLATES_DIR, 'password_changed.txt'),
      join(defaults, 'password_changed.txt'),
    );
    expect(() => loadMailTemplates(undefined, defaults)).toThrow(
      /cannot read the mail template .*password_changed\.html/,
    );
  });
});
