import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface SqliteCommitFigures {
  /** Wall time of one single-row commit in WAL mode with SQLite's default `synchronous=FULL`. */
  fullInMs: number;
  /** The same with `synchronous=NORMAL`, which syncs the WAL at checkpoints only. */
  normalInMs: number;
}

/**
 * Times single-row upserts of a 2 KB document, each in its own transaction like the store's
 * writes. The database is in WAL mode in this machine's temporary folder, as
 * src/store/sqlite-store.ts opens its file.
 */
export function runSqliteBench(commits: number): SqliteCommitFigures {
  return { fullInMs: timeCommits('FULL', commits), normalInMs: timeCommits('NORMAL', commits) };
}

function timeCommits(synchronous: 'FULL' | 'NORMAL', commits: number): number {
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-sqlite-'));
  const database = new Database(path.join(folder, 'commits.db'));
  try {
    database.pragma('journal_mode = WAL');
    database.pragma(`synchronous = ${synchronous}`);
    database.exec('CREATE TABLE documents (key TEXT PRIMARY KEY, body TEXT NOT NULL)');
    const upsert = database.prepare(
      'INSERT INTO documents (key, body) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET body = excluded.body',
    );
    const body = 'x'.repeat(2048);
    const started = performance.now();
    for (let index = 0; index < commits; index++) upsert.run(`key-${index % 20}`, body);
    return (performance.now() - started) / commits;
  } finally {
    database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}
