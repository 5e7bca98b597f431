/**
 * A parsed policy file that remembers where every value came from, so each
 * validation error names the file and line (`PolicyError`).
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { PolicyError } from './policy-error.js';

export type YamlPath = readonly (string | number)[];

export class PolicySource {
  readonly root: unknown;
  private readonly lines = new LineCounter();
  private readonly doc;

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true });
    const [error] = this.doc.errors;
    if (error !== undefined) {
      throw new PolicyError(
        file,
        error.linePos?.[0].line ?? 1,
        '',
        error.message.split('\n')[0] ?? '',
      );
    }
    try {
      this.root = this.doc.toJS({ maxAliasCount: 0 });
    } catch {
      throw new PolicyError(file, 1, '', 'YAML aliases are not allowed in a policy');
    }
  }

  /** The 1-based line of the value at `path`, or of its nearest ancestor that exists. */
  lineOf(path: YamlPath): number {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const node = this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  fail(path: YamlPath, message: string): never {
    throw new PolicyError(this.file, this.lineOf(path), path.join('.'), message);
  }

  map(path: YamlPath, value: unknown, required = true): Readonly<Record<string, unknown>> {
    if (value === undefined && !required) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, 'expected a mapping');
    }
    return value as Record<string, unknown>;
  }

  string(path: YamlPath, value: unknown): string {
    if (typeof value !== 'string' || value === '')
      return this.fail(path, 'expected a non-empty string');
    return value;
  }

  strings(path: YamlPath, value: unknown, required = true): string[] {
    if (value === undefined && !required) return [];
    if (!Array.isArray(value)) return this.fail(path, 'expected a list of strings');
    return value.map((item, index) => this.string([...path, index], item));
  }

  /** Rejects keys outside `allowed`, so a misspelt key is an error rather than silently ignored. */
  onlyKeys(
    path: YamlPath,
    value: Readonly<Record<string, unknown>>,
    allowed: readonly string[],
  ): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail([...path, key], `unknown key '${key}' (expected ${allowed.join(', ')})`);
    }
  }
}
