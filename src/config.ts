/**
 * The one reader of the environment. `readConfig` is a pure function of an env object, so tests
 * pass plain objects; `main.ts` passes `process.env` after loading `.env`.
 */

export type Mode = 'sandbox' | 'azure';

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  bot: {
    appId?: string;
    appPassword?: string;
    appType?: string;
    appTenantId?: string;
  };
  azure: {
    subscriptionId?: string;
    /** Resource Manager endpoint, such as `https://management.azure.com/`. */
    resourceManagerEndpoint: string;
    /** Path of a PEM file with a CA certificate to trust for the Resource Manager endpoint. */
    resourceManagerCaFile?: string;
    /** Microsoft Graph endpoint for group membership; undefined leaves groups unexpanded. */
    graphEndpoint?: string;
  };
  storage: string;
  storageConnectionString?: string;
  abuseWebhookSecret?: string;
  requestTtlInHours: number;
  reminderAfterInHours: number;
  /** Time between housekeeping runs. When undefined, the app's default of one minute applies. */
  housekeepingIntervalInSeconds?: number;
  /** Time between checks of published galleries for content added after the approval. */
  watchIntervalInMinutes: number;
  allowSelfApproval: boolean;
  logLevel: string;
  /** Seed file of the sandbox's Resource Manager emulator. */
  sandboxSeed?: string;
}

/** Raised when a setting is missing or invalid; the message names the variable and the fix. */
export class ConfigError extends Error {
  readonly code = 'InvalidConfiguration';

  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const PUBLIC_RESOURCE_MANAGER = 'https://management.azure.com/';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function readConfig(env: Record<string, string | undefined>): Config {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === '' ? undefined : text;
  };

  const mode: Mode = hasAzureIdentity(env) ? 'azure' : 'sandbox';
  const appId = value('MicrosoftAppId');
  const host = value('HOST') ?? '127.0.0.1';
  if (!appId && !isLoopback(host)) {
    throw new ConfigError(
      'HOST',
      `"${host}" is not a loopback address. Without MicrosoftAppId the bot accepts ` +
        'unauthenticated activities, so it listens only on 127.0.0.1, ::1 or localhost. ' +
        'Set MicrosoftAppId and MicrosoftAppPassword, or use HOST=127.0.0.1.',
    );
  }

  const subscriptionId = value('AZURE_SUBSCRIPTION_ID');
  if (mode === 'azure' && !subscriptionId) {
    throw new ConfigError(
      'AZURE_SUBSCRIPTION_ID',
      'missing. Set it to the subscription that holds your galleries, so `publish rg/name` works.',
    );
  }

  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}.`);
  }

  const storage = value('STORAGE') ?? 'sqlite:.data/gallery-approvals.db';
  const storageConnectionString = value('AZURE_STORAGE_CONNECTION_STRING');
  if (storage === 'azure-tables' && !storageConnectionString) {
    throw new ConfigError(
      'AZURE_STORAGE_CONNECTION_STRING',
      'missing. STORAGE=azure-tables needs the storage account connection string.',
    );
  }
  if (storage !== 'azure-tables' && !storage.startsWith('sqlite:')) {
    throw new ConfigError('STORAGE', `"${storage}" is not sqlite:<path> or azure-tables.`);
  }

  return {
    mode,
    host,
    port: readInteger(env, 'PORT', 3978, 0, 65535),
    bot: {
      appId,
      appPassword: value('MicrosoftAppPassword'),
      appType: value('MicrosoftAppType'),
      appTenantId: value('MicrosoftAppTenantId'),
    },
    azure: {
      subscriptionId,
      resourceManagerEndpoint: normalizeEndpoint(
        value('AZURE_RESOURCE_MANAGER_ENDPOINT') ?? PUBLIC_RESOURCE_MANAGER,
      ),
      resourceManagerCaFile: value('AZURE_RESOURCE_MANAGER_CA_FILE'),
      graphEndpoint: value('GRAPH_ENDPOINT'),
    },
    storage,
    storageConnectionString,
    abuseWebhookSecret: value('ABUSE_WEBHOOK_SECRET'),
    requestTtlInHours: readInteger(env, 'REQUEST_TTL_HOURS', 72, 1, 24 * 365),
    reminderAfterInHours: readInteger(env, 'REMINDER_AFTER_HOURS', 24, 1, 24 * 365),
    housekeepingIntervalInSeconds: value('HOUSEKEEPING_INTERVAL_SECONDS')
      ? readInteger(env, 'HOUSEKEEPING_INTERVAL_SECONDS', 60, 1, 24 * 3600)
      : undefined,
    watchIntervalInMinutes: readInteger(env, 'WATCH_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
    // The sandbox allows self-approval so that one person can finish the flow in the
    // Playground; an explicit ALLOW_SELF_APPROVAL wins.
    allowSelfApproval: readBoolean(env, 'ALLOW_SELF_APPROVAL', mode === 'sandbox'),
    logLevel,
    sandboxSeed: value('SANDBOX_SEED'),
  };
}

/** Summarizes the settings for the start-up log, with every secret replaced by `[set]`. */
export function redactedSummary(config: Config): Record<string, unknown> {
  const secret = (text: string | undefined): string => (text ? '[set]' : '[not set]');
  return {
    mode: config.mode,
    listen: `${config.host}:${config.port}`,
    microsoftAppId: config.bot.appId ?? '[not set: unauthenticated, loopback only]',
    microsoftAppPassword: secret(config.bot.appPassword),
    microsoftAppType: config.bot.appType,
    subscriptionId: config.azure.subscriptionId,
    resourceManagerEndpoint: config.azure.resourceManagerEndpoint,
    resourceManagerCaFile: config.azure.resourceManagerCaFile,
    graphEndpoint: config.azure.graphEndpoint ?? '[not set: groups are not expanded]',
    storage: config.storage,
    storageConnectionString: secret(config.storageConnectionString),
    abuseWebhookSecret: secret(config.abuseWebhookSecret),
    requestTtlInHours: config.requestTtlInHours,
    reminderAfterInHours: config.reminderAfterInHours,
    watchIntervalInMinutes: config.watchIntervalInMinutes,
    allowSelfApproval: config.allowSelfApproval,
    logLevel: config.logLevel,
  };
}

function hasAzureIdentity(env: Record<string, string | undefined>): boolean {
  return [
    'AZURE_CLIENT_ID',
    'AZURE_TENANT_ID',
    'AZURE_FEDERATED_TOKEN_FILE',
    'IDENTITY_ENDPOINT',
  ].some((name) => (env[name] ?? '').trim() !== '');
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function normalizeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError('AZURE_RESOURCE_MANAGER_ENDPOINT', `"${endpoint}" is not a URL.`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      'AZURE_RESOURCE_MANAGER_ENDPOINT',
      `"${endpoint}" must use https, because the Azure SDK sends tokens only over https.`,
    );
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function readInteger(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const number = Number(text);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new ConfigError(name, `"${text}" is not a whole number from ${min} to ${max}.`);
  }
  return number;
}

function readBoolean(
  env: Record<string, string | undefined>,
  name: string,
  fallback: boolean,
): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (!text) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new ConfigError(name, `"${text}" is not true or false.`);
}
