import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Creates the JSON logger. Fields that can carry credentials are redacted wherever they
 * appear, as a second line of defence: the code itself never logs them.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gallery-approvals' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'authorization',
          'password',
          '*.password',
          'secret',
          '*.secret',
          'token',
          '*.token',
          'appPassword',
          '*.appPassword',
        ],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
