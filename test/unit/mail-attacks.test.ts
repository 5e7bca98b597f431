import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedVariables, templateNames } from '../../src/mail/template-variables.js';
import { loadMailTemplates } from '../../src/mail/templates.js';

/** Every variable of a template set to `value`. */
const allSetTo = (name: (typeof templateNames)[number], value: string) =>
  Object.fromEntries([...allowedVariables(name)].map((v) => [v, value])) as never;

describe('mail templates against hostile variables (the attacker pass)', () => {
  it('no variable of any template can break the subject into a second header line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mail-attack-'));
    for (const name of templateNames) {
      const every = [...allowedVariables(name)].map((v) => `{{${v}}}`).join(' ');
      const link = allowedVariables(name).has('link') ? '\n{{link}}\n' : '\n';
      writeFileSync(join(dir, `${name}.txt`), `Subject: ${every}\n${link}`);
    }
    const templates = loadMailTemplates(dir);
    for (const value of [
      'a\r\nBcc: x@evil.example',
      'a\nBcc: x@evil.example',
      'a\rBcc: x',
      'a\r\n\r\nbody',
    ]) {
      for (const name of templateNames) {
        const { subject } = templates.render(name, allSetTo(name, value));
        expect(subject, `${name} ${JSON.stringify(value)}`).not.toMatch(/[\r\n]/);
      }
    }
  });

  it('every variable of every shipped HTML template is escaped, attributes included', () => {
    const templates = loadMailTemplates();
    const value = `"><script>alert(1)</script><img src=x onerror=alert(2)>'`;
    const escaped =
      '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&#39;';
    for (const name of templateNames) {
      const { html } = templates.render(name, allSetTo(name, value));
      expect(html, name).not.toContain('<script>alert');
      expect(html, name).not.toContain('<img src=x');
      // Once the escaped value is taken out, the markup is exactly that of a harmless value.
      expect(html.replaceAll(escaped, 'v'), name).toBe(
        templates.render(name, allSetTo(name, 'v')).html,
      );
    }
  });
});
