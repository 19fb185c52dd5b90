import { AzureTablesStore } from './azure-tables-store';
import { DEFAULT_SQLITE_PATH, SqliteStore } from './sqlite-store';
import type { Store } from './port';

export const DEFAULT_STORAGE_SETTING = `sqlite:${DEFAULT_SQLITE_PATH}`;

/** The storage backend that a `STORAGE` setting selects. */
export type StorageSetting = { kind: 'sqlite'; path: string } | { kind: 'azure-tables' };

/**
 * Parses the `STORAGE` setting: `sqlite:<path>` (a path relative to the working directory,
 * or `:memory:`) or `azure-tables`. An empty or missing setting selects the default file.
 */
export function parseStorageSetting(setting: string | undefined): StorageSetting {
  const text = (setting ?? '').trim() || DEFAULT_STORAGE_SETTING;

  if (text === 'azure-tables') return { kind: 'azure-tables' };
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length).trim();
    if (path === '') {
      throw new Error(
        `STORAGE "${text}" has no file path. Set STORAGE=sqlite:<path>, for example ` +
          `${DEFAULT_STORAGE_SETTING}.`,
      );
    }
    return { kind: 'sqlite', path };
  }

  throw new Error(
    `STORAGE "${text}" is invalid. Set STORAGE=sqlite:<path> (default ` +
      `${DEFAULT_STORAGE_SETTING}) or STORAGE=azure-tables.`,
  );
}

export interface OpenStoreOptions {
  /** `AZURE_STORAGE_CONNECTION_STRING`, for `azure-tables`. */
  connectionString?: string;
}

/** Opens the store that the `STORAGE` setting selects, creating its schema when missing. */
export async function openStore(
  setting: string | undefined,
  options: OpenStoreOptions = {},
): Promise<Store> {
  const storage = parseStorageSetting(setting);
  switch (storage.kind) {
    case 'sqlite':
      return new SqliteStore({ path: storage.path });
    case 'azure-tables':
      if (!options.connectionString) {
        throw new Error(
          'STORAGE=azure-tables needs AZURE_STORAGE_CONNECTION_STRING, the connection string ' +
            'of the storage account. Set it, or use STORAGE=sqlite:<path>.',
        );
      }
      return AzureTablesStore.open({ connectionString: options.connectionString });
  }
}
