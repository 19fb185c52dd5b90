import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import {
  ArmError,
  missingApiVersion,
  missingAuthorizationHeader,
  notServed,
  parentResourceNotFound,
} from '../sandbox/arm-errors';
import {
  collectionOwner,
  isCollectionPath,
  lastProvidersIndex,
  normalizePath,
  resourceGroupOf,
  resourceTypeOf,
  splitPath,
} from '../sandbox/arm-path';
import { handleAuthorizationProvider } from '../sandbox/authorization-routes';
import { createLoopbackCertificate } from '../sandbox/certificate';
import {
  pageOf,
  type EmulatorRequest,
  type EmulatorResponse,
  type RouteContext,
} from '../sandbox/exchange';
import { handleGraph } from '../sandbox/graph-routes';
import { delay, send } from '../sandbox/http-io';
import {
  authorize,
  getResourceOrCollection,
  presentResource,
  readAction,
  requireParentsExist,
} from '../sandbox/resource-routes';
import { validateSeed, type ArmResource, type Seed } from '../sandbox/seed';
import { IndexedWorld } from './indexed-world';

export interface IndexedEmulatorOptions {
  seed: Seed;
  /** Delay added before every response, in milliseconds; default 0. */
  latencyInMs?: number;
  /** Items per page of every list before a `nextLink`; default 50, as in the emulator. */
  pageSize?: number;
}

/** A read-only Resource Manager and Microsoft Graph on 127.0.0.1 over an indexed world. */
export interface IndexedEmulator {
  readonly url: string;
  readonly caCertificate: string;
  /** Requests received since the last `clearRequests`. */
  readonly requestCount: number;
  /** Paths of those requests in arrival order, without the query. */
  readonly paths: readonly string[];
  clearRequests(): void;
  close(): Promise<void>;
}

/**
 * Starts a server that serves reads with the emulator's own route handlers over an
 * `IndexedWorld`, and adds `latencyInMs` before each response as the emulator does. A list
 * presents only the page it returns, where the emulator copies the whole collection for every
 * page (O(N²/page size) for N items). It serves no writes, no share operation and no faults,
 * so the benchmarks use it for gallery inspection only and the emulator for everything else.
 */
export async function startIndexedEmulator(
  options: IndexedEmulatorOptions,
): Promise<IndexedEmulator> {
  const world = new IndexedWorld(validateSeed(structuredClone(options.seed), 'benchmark seed'));
  const certificate = await createLoopbackCertificate();
  const server = createServer({ key: certificate.privateKey, cert: certificate.certificate });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context: RouteContext = { baseUrl: url, pageSize: options.pageSize ?? 50 };
  let paths: string[] = [];

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const target = request.url ?? '/';
    const queryStart = target.includes('?') ? target.indexOf('?') : target.length;
    const emulatorRequest: EmulatorRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      path: normalizePath(target.slice(0, queryStart)),
      query: new URLSearchParams(target.slice(queryStart + 1)),
      body: undefined,
      headers: request.headers,
    };
    paths.push(emulatorRequest.path);
    request.resume();
    void delay(options.latencyInMs ?? 0).then(() =>
      send(response, respond(world, emulatorRequest, context)),
    );
  });

  return {
    url,
    caCertificate: certificate.certificate,
    get requestCount() {
      return paths.length;
    },
    get paths() {
      return paths;
    },
    clearRequests: () => {
      paths = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Routes a request as the emulator does; failures become Resource Manager error bodies. */
function respond(
  world: IndexedWorld,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  try {
    if (request.path.toLowerCase().startsWith('/v1.0/')) {
      return handleGraph(world, request, context);
    }
    if (request.method !== 'GET') throw notServed(request.method, request.path);
    if (!request.headers.authorization) throw missingAuthorizationHeader();
    if (!request.query.get('api-version')) throw missingApiVersion();

    const segments = splitPath(request.path).map((segment) => segment.toLowerCase());
    const providersIndex = lastProvidersIndex(segments);
    if (providersIndex !== -1 && segments[providersIndex + 1] === 'microsoft.authorization') {
      return handleAuthorizationProvider(world, request, context);
    }
    if (isCollectionPath(request.path)) return listPage(world, request, context);
    return getResourceOrCollection(world, request, context);
  } catch (error) {
    if (error instanceof ArmError) {
      return {
        status: error.status,
        body: { error: { code: error.code, message: error.message } },
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 500,
      body: { error: { code: 'InternalServerError', message: `Indexed emulator: ${message}` } },
    };
  }
}

/** Lists a collection as the emulator does (sandbox/resource-routes.ts), presenting one page only. */
function listPage(
  world: IndexedWorld,
  request: EmulatorRequest,
  context: RouteContext,
): EmulatorResponse {
  const path = request.path;
  const owner = collectionOwner(path);
  authorize(world, readAction(resourceTypeOf(`${path}/item`)), owner, path);
  requireParentsExist(world, owner);
  if (lastProvidersIndex(splitPath(owner)) !== -1 && resourceGroupOf(owner) && !world.get(owner)) {
    throw parentResourceNotFound(owner);
  }

  const page = pageOf([...world.members(path)], request, context);
  const items = page.value as ArmResource[];
  return {
    status: 200,
    body: { ...page, value: items.map((item) => presentResource(item, request.query)) },
  };
}
