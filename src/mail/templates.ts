import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import {
  allowedVariables,
  type commonVariables,
  type TemplateName,
  type TemplateVariables,
  templateNames,
} from './template-variables.js';

/** The templates that ship: one `<name>.txt` (first line `Subject: …`) and one `<name>.html` each. */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../assets/mail/', import.meta.url));

/** Text between placeholders, or the name of one. */
type Segment = string | { variable: string };

interface Compiled {
  subject: Segment[];
  text: Segment[];
  html: Segment[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Every variable of a template: its own ones and the common ones (product name, recipient). */
export type RenderVariables<N extends TemplateName> = TemplateVariables<N> & {
  readonly [V in (typeof commonVariables)[number]]: string;
};

export interface MailTemplates {
  render<N extends TemplateName>(name: N, variables: RenderVariables<N>): RenderedMail;
}

const SETTING = 'mail.templatesDir';
const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const lineOf = (source: string, index: number): number => source.slice(0, index).split('\n').length;

/** Splits a template at its `{{name}}` placeholders; an unknown or malformed one is a start-up error. */
function compile(source: string, file: string, name: TemplateName, lineOffset = 0): Segment[] {
  const allowed = allowedVariables(name);
  const fail = (index: number, why: string): never => {
    throw new ConfigError(SETTING, `${file}:${lineOf(source, index) + lineOffset}: ${why}`);
  };
  const literal = (from: number, to: number): string => {
    const text = source.slice(from, to);
    const stray = /\{\{|\}\}/.exec(text);
    if (stray) fail(from + stray.index, 'an unclosed or malformed placeholder');
    return text;
  };
  const segments: Segment[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    segments.push(literal(last, match.index));
    const variable = (match[1] ?? '').trim();
    if (!allowed.has(variable)) {
      const known = [...allowed].map((v) => `{{${v}}}`).join(', ');
      fail(match.index, `unknown placeholder ${match[0]} (${name} takes ${known})`);
    }
    segments.push({ variable });
    last = match.index + match[0].length;
  }
  segments.push(literal(last, source.length));
  return segments.filter((s) => s !== '');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  } catch {
    throw new ConfigError(SETTING, `cannot read the mail template ${file}`);
  }
}

/** `<name>.txt`: a first line `Subject: …`, then the body (one blank line after the subject is dropped). */
function compileText(file: string, name: TemplateName): Pick<Compiled, 'subject' | 'text'> {
  const source = readText(file);
  const newline = source.indexOf('\n');
  const first = newline === -1 ? source : source.slice(0, newline);
  const subject = /^Subject:(.*)$/i.exec(first)?.[1]?.trim();
  if (!subject) throw new ConfigError(SETTING, `${file}:1: the first line must be "Subject: …"`);
  const body = newline === -1 ? '' : source.slice(newline + 1);
  const blank = body.startsWith('\n') ? 1 : 0;
  return {
    subject: compile(subject, file, name),
    text: compile(body.slice(blank), file, name, 1 + blank),
  };
}

/** A mail that carries a token is useless without its link: a template that drops it is refused. */
function requireLink(name: TemplateName, file: string, segments: Segment[]): void {
  if (!allowedVariables(name).has('link')) return;
  if (!segments.some((s) => typeof s !== 'string' && s.variable === 'link'))
    throw new ConfigError(SETTING, `${file}: ${name} must contain {{link}} (it carries the token)`);
}

function listOverrides(dir: string): Set<string> {
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
    files = readdirSync(dir);
  } catch {
    throw new ConfigError(SETTING, `${dir} is not a readable folder`);
  }
  const known = new Set<string>(templateNames);
  for (const file of files) {
    const match = /^(.*)\.(txt|html)$/.exec(file);
    if (match && !known.has(match[1] ?? ''))
      throw new ConfigError(
        SETTING,
        `${join(dir, file)}: no template is called ${match[1]} (known: ${templateNames.join(', ')})`,
      );
  }
  return new Set(files);
}

/**
 * Loads and checks every template at start-up, the operator's folder file by
 * file over the defaults: a missing file, a missing subject or an unknown
 * placeholder stops the process here instead of failing a mail later.
 */
export function loadMailTemplates(
  overridesDir?: string,
  defaultsDir = DEFAULT_TEMPLATES_DIR,
): MailTemplates {
  const overrides = overridesDir === undefined ? new Set<string>() : listOverrides(overridesDir);
  const pick = (file: string) =>
    overridesDir !== undefined && overrides.has(file)
      ? join(overridesDir, file)
      : join(defaultsDir, file);
  const compiled = new Map<TemplateName, Compiled>();
  for (const name of templateNames) {
    const textFile = pick(`${name}.txt`);
    const htmlFile = pick(`${name}.html`);
    const template = {
      ...compileText(textFile, name),
      html: compile(readText(htmlFile), htmlFile, name),
    };
    requireLink(name, textFile, template.text);
    requireLink(name, htmlFile, template.html);
    compiled.set(name, template);
  }
  return {
    render(name, variables) {
      const template = compiled.get(name);
      if (!template) throw new TypeError(`no mail template ${name}`);
      const values = variables as Readonly<Record<string, string | number>>;
      const fill = (segments: Segment[], encode: (value: string) => string) =>
        segments
          .map((s) => (typeof s === 'string' ? s : encode(String(values[s.variable] ?? ''))))
          .join('');
      return {
        // A header: a value with a line break must not start another one.
        subject: fill(template.subject, (v) => v).replace(/[\r\n]+/g, ' '),
        text: fill(template.text, (v) => v),
        html: fill(template.html, escapeHtml),
      };
    },
  };
}
