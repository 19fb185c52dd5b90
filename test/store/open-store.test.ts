import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openStore, parseStorageSetting } from '../../src/store/open-store';
import { SqliteStore } from '../../src/store/sqlite-store';

describe('parseStorageSetting', () => {
  it('defaults to the sqlite file', () => {
    const expected = { kind: 'sqlite', path: '.data/gallery-approvals.db' };

    expect(parseStorageSetting(undefined)).toEqual(expected);
    expect(parseStorageSetting('')).toEqual(expected);
    expect(parseStorageSetting('  ')).toEqual(expected);
  });

  it('parses a sqlite path', () => {
    expect(parseStorageSetting('sqlite:/var/lib/bot/store.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/bot/store.db',
    });
    expect(parseStorageSetting('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
  });

  it('parses azure tables', () => {
    expect(parseStorageSetting('azure-tables')).toEqual({ kind: 'azure-tables' });
  });

  it('rejects sqlite without path', () => {
    expect(() => parseStorageSetting('sqlite:')).toThrow(/STORAGE "sqlite:" has no file path/);
  });

  it('rejects an unknown backend', () => {
    expect(() => parseStorageSetting('postgres://db')).toThrow(
      /STORAGE "postgres:\/\/db" is invalid. Set STORAGE=sqlite:<path>/,
    );
  });
});

describe('openStore', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'gallery-approvals-open-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('opens a sqlite store', async () => {
    const path = join(directory, 'sub', 'store.db');

    const store = await openStore(`sqlite:${path}`);
    try {
      expect(store).toBeInstanceOf(SqliteStore);
      expect((store as SqliteStore).path).toBe(path);
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('azure tables needs connection string', async () => {
    await expect(openStore('azure-tables')).rejects.toThrow(
      /STORAGE=azure-tables needs AZURE_STORAGE_CONNECTION_STRING/,
    );
  });
});
