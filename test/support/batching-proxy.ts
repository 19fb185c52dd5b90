import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** Chooses the requests that the proxy holds back, by method and URL-decoded path. */
export type HoldPredicate = (method: string, path: string) => boolean;

/**
 * A plain HTTP proxy on loopback in front of one server (Azurite). While `holdMatching` is
 * set, it holds each matching request back and forwards all held requests together once
 * `windowInMs` has passed since the first of them arrived. Reads of the same entity from
 * several processes then reach the server at the same moment, so the writes that follow them
 * race for real instead of one process finishing before the next one reads.
 */
export interface BatchingProxy {
  port: number;
  /** How many batches of two or more held requests were forwarded. */
  batches(): number[];
  holdMatching(predicate: HoldPredicate | undefined, windowInMs?: number): void;
  close(): Promise<void>;
}

export async function startBatchingProxy(targetPort: number): Promise<BatchingProxy> {
  let predicate: HoldPredicate | undefined;
  let windowInMs = 50;
  let held: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const batchSizes: number[] = [];

  const release = (): void => {
    timer = undefined;
    const batch = held;
    held = [];
    if (batch.length > 1) batchSizes.push(batch.length);
    for (const send of batch) send();
  };

  const pass = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer): void => {
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    upstream.end(body);
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = safeDecode(incoming.url ?? '/');
      if (!predicate?.(incoming.method ?? 'GET', path)) {
        pass(incoming, outgoing, body);
        return;
      }
      held.push(() => pass(incoming, outgoing, body));
      timer ??= setTimeout(release, windowInMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    batches: () => [...batchSizes],
    holdMatching: (next, nextWindowInMs = 50) => {
      predicate = next;
      windowInMs = nextWindowInMs;
      if (!next && timer) {
        clearTimeout(timer);
        release();
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (timer) {
          clearTimeout(timer);
          release();
        }
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
