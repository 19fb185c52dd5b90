import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { InvalidReportError, parseWebhookReport } from './report-input';
import type { ReportService } from './report-service';
import { WebhookAuthenticationError, verifySignature, verifyTimestamp } from './signature';

export const ABUSE_REPORTS_PATH = '/api/abuse-reports';

/** Largest accepted report body in bytes, counted on the raw body as received. */
export const MAX_REPORT_BODY_BYTES = 64 * 1024;

/** The response to send: a status, a JSON body and extra headers. */
export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface AbuseReportWebhookDependencies {
  /** `ABUSE_WEBHOOK_SECRET`, the HMAC key. */
  secret: string;
  reports: ReportService;
  logger: Logger;
  now?: () => Date;
}

/**
 * `POST /api/abuse-reports`. Reads the raw body itself, because the signature covers the exact
 * bytes sent, then checks size, content type, timestamp and signature before parsing anything.
 * Every rejection is a 4xx with a JSON error, and nothing is stored.
 *
 * NOTE: `X-Signature-256` covers only the body, not `X-Timestamp`, so a captured request can be
 * replayed later with a new timestamp. The service ignores a body it has already merged into a
 * report from the last 24 hours; after that a replay creates a new report. Signing
 * `<timestamp>.<body>` would close this, but changes the interface that senders implement.
 */
export class AbuseReportWebhook {
  private readonly now: () => Date;

  constructor(private readonly deps: AbuseReportWebhookDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  async handle(request: IncomingMessage): Promise<WebhookResponse> {
    try {
      return await this.accept(request);
    } catch (error) {
      if (error instanceof RejectedRequest) {
        this.deps.logger.warn(
          { code: error.code, status: error.status, remoteAddress: request.socket.remoteAddress },
          'abuse report rejected',
        );
        return error.response();
      }
      this.deps.logger.error({ err: error }, 'abuse report failed');
      return {
        status: 500,
        body: errorBody('InternalError', 'The report could not be stored. Send it again later.'),
      };
    }
  }

  private async accept(request: IncomingMessage): Promise<WebhookResponse> {
    checkContentType(request);
    const rawBody = await readBodyWithLimit(request, MAX_REPORT_BODY_BYTES);

    try {
      verifyTimestamp(header(request, 'x-timestamp'), this.now());
      verifySignature(rawBody, header(request, 'x-signature-256'), this.deps.secret);
    } catch (error) {
      if (error instanceof WebhookAuthenticationError) {
        throw new RejectedRequest(401, error.code, error.message);
      }
      throw error;
    }

    let input;
    try {
      input = parseWebhookReport(parseJson(rawBody));
    } catch (error) {
      if (error instanceof InvalidReportError) {
        throw new RejectedRequest(422, error.code, 'The report is invalid.', error.problems);
      }
      throw error;
    }

    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const { report, outcome } = await this.deps.reports.submit(
      input,
      { source: 'webhook' },
      bodyHash,
    );
    return { status: 202, body: { reportId: report.id, outcome } };
  }
}

/** A request rejected with a 4xx. `response` builds the reply to the caller. */
class RejectedRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly closeConnection = false,
  ) {
    super(message);
  }

  response(): WebhookResponse {
    const body = errorBody(this.code, this.message, this.details);
    return this.closeConnection
      ? { status: this.status, body, headers: { Connection: 'close' } }
      : { status: this.status, body };
  }
}

function errorBody(code: string, message: string, details?: unknown): Record<string, unknown> {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function checkContentType(request: IncomingMessage): void {
  const contentType = (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw new RejectedRequest(
      415,
      'UnsupportedMediaType',
      'Send the report as Content-Type: application/json.',
      undefined,
      true,
    );
  }
  const encoding = header(request, 'content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new RejectedRequest(
      415,
      'UnsupportedMediaType',
      `Content-Encoding ${encoding.slice(0, 40)} is not supported. Send the body uncompressed.`,
      undefined,
      true,
    );
  }
}

/**
 * Reads the raw body, rejecting it as soon as it passes `maxBytes`. The rest of an oversized
 * body is not kept, and the 413 response closes the connection so the sender stops.
 */
async function readBodyWithLimit(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () =>
    new RejectedRequest(
      413,
      'PayloadTooLarge',
      `The body is larger than ${maxBytes} bytes. Shorten the description.`,
      undefined,
      true,
    );
  const declared = Number(header(request, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    request.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    request.once('error', (error) => {
      if (!done) reject(error);
      done = true;
    });
    request.once('close', () => {
      if (!done) reject(new Error('The sender closed the connection before the body ended.'));
      done = true;
    });
  });
}

function parseJson(rawBody: Buffer): unknown {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RejectedRequest(400, 'InvalidJson', `The body is not valid UTF-8 JSON: ${reason}`);
  }
}
