import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { PgInfo } from './pg.js';

const INTRO = `# Benchmarks

Figures measured on one machine by \`npm run bench\`; each benchmark writes its own section below
and replaces only that section when it runs again. The machine each run used is given with it.
`;

/**
 * Replaces the section under `heading` (up to the next heading of the same level) in a markdown
 * file, appending it if absent and creating the file with a short intro if missing.
 * @example upsertSection('docs/benchmarks.md', '## Ingest (issue 2)', body)
 */
export function upsertSection(file: string, heading: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const level = /^#+ /.exec(heading)?.[0] ?? '## ';
  let end = lines.findIndex((line, i) => i > start && line.startsWith(level));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  writeFileSync(file, `${before}\n\n${section}${after ? `\n${after}\n` : ''}`);
}

/** A markdown table; cells are written as given. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function cpuModel(): string {
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
    if (model) return model.trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

/**
 * One line describing the machine and the database settings that decide ingest speed; PGlite's
 * version only for benchmarks that run it.
 */
export function machineLine(pg: PgInfo, pgliteVersion?: string): string {
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return [
    `CPU ${cpuModel()}, ${cpus().length} cores`,
    `${gib} GiB RAM`,
    `Node ${process.version}`,
    `PostgreSQL ${pg.version} (fsync ${pg.fsync}, synchronous_commit ${pg.synchronousCommit}, shared_buffers ${pg.sharedBuffers}; ` +
      `a one-row INSERT with its commit takes ${pg.commitMs.toFixed(2)} ms)`,
    ...(pgliteVersion ? [`PGlite ${pgliteVersion}`] : []),
  ].join('; ');
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString()),
  mib: (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`,
  ratio: (n: number) => `${n.toFixed(n < 10 ? 2 : 1)}×`,
};
