import { ConfigError, readConfig, redactedSummary } from '../../src/config';

describe('readConfig', () => {
  it('defaults to the loopback sandbox', () => {
    const config = readConfig({});
    expect(config.mode).toBe('sandbox');
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3978);
    expect(config.storage).toBe('sqlite:.data/gallery-approvals.db');
    expect(config.requestTtlInHours).toBe(72);
    expect(config.reminderAfterInHours).toBe(24);
    expect(config.azure.resourceManagerEndpoint).toBe('https://management.azure.com/');
  });

  it('allows self-approval in the sandbox only', () => {
    expect(readConfig({}).allowSelfApproval).toBe(true);
    expect(readConfig({ ALLOW_SELF_APPROVAL: 'false' }).allowSelfApproval).toBe(false);
    const azure = readConfig({ AZURE_CLIENT_ID: 'x', AZURE_SUBSCRIPTION_ID: 's' });
    expect(azure.mode).toBe('azure');
    expect(azure.allowSelfApproval).toBe(false);
  });

  it('rejects a public host without app id', () => {
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(/HOST/);
  });

  it('allows a public host with app id', () => {
    expect(readConfig({ HOST: '0.0.0.0', MicrosoftAppId: 'id' }).host).toBe('0.0.0.0');
  });

  it('needs a subscription in azure mode', () => {
    expect(() => readConfig({ AZURE_CLIENT_ID: 'x' })).toThrow(/AZURE_SUBSCRIPTION_ID/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REQUEST_TTL_HOURS', '0'],
    ['HOUSEKEEPING_INTERVAL_SECONDS', '0'],
    ['ALLOW_SELF_APPROVAL', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['STORAGE', 'postgres://x'],
    ['AZURE_RESOURCE_MANAGER_ENDPOINT', 'http://127.0.0.1:1'],
    ['AZURE_RESOURCE_MANAGER_ENDPOINT', 'not a url'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });

  it('reads the housekeeping interval', () => {
    expect(readConfig({}).housekeepingIntervalInSeconds).toBeUndefined();
    expect(readConfig({ HOUSEKEEPING_INTERVAL_SECONDS: '5' }).housekeepingIntervalInSeconds).toBe(
      5,
    );
  });

  it('needs a connection string for tables', () => {
    expect(() => readConfig({ STORAGE: 'azure-tables' })).toThrow(
      /AZURE_STORAGE_CONNECTION_STRING/,
    );
  });

  it('redacts secrets in the summary', () => {
    const config = readConfig({
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'p4ssw0rd-value',
      ABUSE_WEBHOOK_SECRET: 'webhook-secret-value',
      STORAGE: 'azure-tables',
      AZURE_STORAGE_CONNECTION_STRING: 'AccountKey=storage-key-value',
    });
    const text = JSON.stringify(redactedSummary(config));
    expect(text).not.toContain('p4ssw0rd-value');
    expect(text).not.toContain('webhook-secret-value');
    expect(text).not.toContain('storage-key-value');
    expect(text).toContain('[set]');
  });
});
