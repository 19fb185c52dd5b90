import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { EmulatorResponse } from './exchange';

/** Largest request body the emulator reads, in bytes; larger bodies get a 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RawBody {
  text: string;
  tooLarge: boolean;
}

export function readBody(request: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    );
    request.on('error', reject);
  });
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

export function parseBody(rawBody: RawBody): ParsedBody {
  if (rawBody.text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(rawBody.text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export function send(response: ServerResponse, answer: EmulatorResponse): void {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': requestId,
    ...answer.headers,
  };
  // Separate calls, because restify replaces ServerResponse.prototype.writeHead in any process
  // that loads it, and its version returns undefined instead of the response.
  if (answer.body === undefined) {
    response.writeHead(answer.status, headers);
    response.end();
    return;
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  response.writeHead(answer.status, headers);
  response.end(JSON.stringify(answer.body));
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
