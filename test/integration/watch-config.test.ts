import { ConfigError, readConfig } from '../../src/config';

describe('watch interval setting', () => {
  test('defaults to sixty minutes', () => {
    expect(readConfig({}).watchIntervalInMinutes).toBe(60);
    expect(readConfig({ WATCH_INTERVAL_MINUTES: '' }).watchIntervalInMinutes).toBe(60);
  });

  test('reads whole minutes', () => {
    expect(readConfig({ WATCH_INTERVAL_MINUTES: '15' }).watchIntervalInMinutes).toBe(15);
  });

  test.each(['0', '1.5', 'hourly', '20000'])('rejects invalid value %s', (value) => {
    expect(() => readConfig({ WATCH_INTERVAL_MINUTES: value })).toThrow(ConfigError);
  });
});
