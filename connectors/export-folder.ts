/**
 * A folder of exported JSON being read by an offline connector (gcloud exports, Microsoft Graph responses): files are
 * regular files (links followed, FIFOs and devices refused from their metadata) bounded in size, and what cannot be
 * read becomes a coverage note while the rest of the folder is still read. How a file that reads but does not parse
 * ends is the connector's choice (a usage error, or a note).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CoverageNote } from '../src/model/types.js';
import { inspectPath, readBounded } from '../src/util/bounded-read.js';

export class ExportFolder {
  readonly notes: CoverageNote[] = [];
  readonly label: string;

  constructor(
    readonly connector: string,
    readonly dir: string,
    protected readonly maxBytes: number,
  ) {
    this.label = path.basename(path.resolve(dir));
  }

  source(rel: string): string {
    return `file:${this.label}/${rel}`;
  }

  note(rel: string, message: string, impact: string, incomplete = true, reason: CoverageNote['reason'] = 'invalid-input'): void {
    this.notes.push({ connector: this.connector, source: this.source(rel), reason, message: `${this.label}/${rel} ${message}`, impact, incomplete });
  }

  /** The text of `rel`: `missing` when absent, undefined when it cannot be read (noted). */
  text(rel: string, impact: string): string | 'missing' | undefined {
    const r = readBounded(path.join(this.dir, rel), { maxBytes: this.maxBytes });
    if (r.ok) return r.text;
    if (r.problem === 'missing') return 'missing';
    this.note(rel, r.reason, impact);
    return undefined;
  }

  /** The `*.json` files of a sub-folder, sorted: undefined when it is absent; empty, with a note, when it is not a readable folder. */
  jsonFilesIn(rel: string, impact: string): string[] | undefined {
    const entry = inspectPath(path.join(this.dir, rel));
    switch (entry.kind) {
      case 'missing':
        return undefined;
      case 'directory':
        break;
      case 'file':
        this.note(rel, 'is a file where a folder belongs', impact);
        return [];
      case 'dangling-link':
        this.note(rel, 'is a symbolic link to nothing (dangling)', impact);
        return [];
      case 'special':
        this.note(rel, `is ${entry.what}, not a folder`, impact);
        return [];
      default:
        this.note(rel, 'cannot be read', impact);
        return [];
    }
    try {
      return readdirSync(entry.realPath)
        .filter((f) => f.endsWith('.json'))
        .sort();
    } catch (err) {
      this.note(rel, `cannot be listed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, impact);
      return [];
    }
  }
}
