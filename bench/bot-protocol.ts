/** Messages between the benchmark runner and a bot in a child process (bench/bot-process.ts). */

export interface BotProcessOptions {
  kind: 'gallery' | 'echo';
  /**
   * Resource Manager (and Microsoft Graph) endpoint, `https://127.0.0.1:<port>`. The echo bot
   * given one reads galleries there for the preview baseline.
   */
  resourceManagerUrl?: string;
  caCertificate?: string;
  /** SQLite file with the bot's state, unless `tablesConnectionString` is given. */
  databaseFile?: string;
  /** Connection string of the Azure Table Storage (Azurite) with the bot's state. */
  tablesConnectionString?: string;
  logLevel: string;
}

/** The store of a bot under test: a SQLite file, or Azure Table Storage on Azurite. */
export type BenchStorage = { databaseFile: string } | { tablesConnectionString: string };

export type ParentMessage = { type: 'usage'; collectGarbage: boolean } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'usage'; memory: NodeJS.MemoryUsage; cpu: NodeJS.CpuUsage; resident?: ResidentKinds }
  | { type: 'failed'; message: string };

export const OPTIONS_VARIABLE = 'BENCH_BOT_OPTIONS';

/**
 * The resident set by kind of page, in bytes, as `/proc/self/status` reports it on Linux.
 * Anonymous pages are heaps and stacks, and file-backed pages are the executable and libraries.
 */
export interface ResidentKinds {
  anonymous: number;
  fileBacked: number;
}
