import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import {
  ArmError,
  invalidRequestContent,
  missingApiVersion,
  missingAuthorizationHeader,
  notServed,
} from './arm-errors';
import { lastProvidersIndex, normalizePath, pathKey, splitPath } from './arm-path';
import { handleAuthorizationProvider } from './authorization-routes';
import { createLoopbackCertificate } from './certificate';
import type { EmulatorRequest, EmulatorResponse, RouteContext } from './exchange';
import { FaultInjector, type FaultDefinition } from './faults';
import { handleGraph } from './graph-routes';
import { MAX_BODY_BYTES, delay, parseBody, readBody, send } from './http-io';
import { getResourceOrCollection } from './resource-routes';
import { validateSeed, type ArmResource, type Seed } from './seed';
import { ShareOperations, type ShareFailure } from './share-operations';
import { World } from './world';

export type { FaultAnswer, FaultDefinition } from './faults';
export type { ShareFailure } from './share-operations';

export interface EmulatorOptions {
  seed: Seed;
  /** TCP port on 127.0.0.1; 0 or omitted picks a free port. */
  port?: number;
  /** Delay added before every response, in milliseconds; default 0. */
  latencyInMs?: number;
  /** Number of InProgress responses to share operation polls before the terminal status; default 1. */
  operationPollsBeforeDone?: number;
  /** `Retry-After` on the share 202 and on InProgress polls, in seconds; default 1. */
  retryAfterInSeconds?: number;
  /** Items per page of every list before a `nextLink`; default 50. */
  pageSize?: number;
  /** Receives errors the emulator catches while handling a request; default stderr. */
  logger?: EmulatorLogger;
}

/** The subset of a pino logger the emulator uses. */
export interface EmulatorLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface RecordedRequest {
  /** Position in arrival order, from 1. */
  sequence: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  /** ISO 8601 arrival time. */
  time: string;
  /** Status sent; undefined while pending, or for a reset or hanging fault. */
  status?: number;
}

export interface Emulator {
  /** `https://127.0.0.1:<port>`, the endpoint to give the SDK clients. */
  readonly url: string;
  /** PEM certificate of the server; clients pass it as `tlsOptions.ca`. */
  readonly caCertificate: string;
  /** Every request received so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  readonly requestCount: number;
  /** Every request other than GET. */
  readonly writes: readonly RecordedRequest[];
  /** Returns the recorded share POSTs, for one gallery id when given. */
  shareCalls(galleryId?: string): RecordedRequest[];
  /** Forgets the recorded requests; the sequence numbers go on. */
  clearRequests(): void;
  /** Returns the stored resource, with fields a GET hides such as `publicNamePrefix`. */
  resource(id: string): ArmResource | undefined;
  /** Creates or replaces a resource at its id. */
  putResource(resource: ArmResource): void;
  /** Deletes a resource; returns whether it existed. */
  deleteResource(id: string): boolean;
  /** Scripts the response to matching requests, applied before any route runs. */
  inject(fault: FaultDefinition): void;
  /** Makes the next share operation end Failed or Canceled with the given error. */
  failNextShare(failure: ShareFailure): void;
  /** Stops listening, drops open connections and hanging requests. */
  close(): Promise<void>;
}

/** Starts the Resource Manager and Microsoft Graph emulator over HTTPS on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  validateOptions(options);
  const seed = validateSeed(structuredClone(options.seed), 'passed to startEmulator');
  const certificate = await createLoopbackCertificate();
  const server = createServer({ key: certificate.privateKey, cert: certificate.certificate });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new Error(
          `Resource Manager emulator cannot listen on port ${options.port ?? 0}: ${error.message}`,
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });

  const port = (server.address() as AddressInfo).port;
  return new EmulatorServer(
    server,
    `https://127.0.0.1:${port}`,
    certificate.certificate,
    seed,
    options,
  );
}

class EmulatorServer implements Emulator {
  private readonly world: World;
  private readonly shares: ShareOperations;
  private readonly faults = new FaultInjector();
  private readonly context: RouteContext;
  private readonly logger: EmulatorLogger;
  private readonly sockets = new Set<Socket>();
  private recorded: RecordedRequest[] = [];
  private sequence = 0;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: Server,
    readonly url: string,
    readonly caCertificate: string,
    seed: Seed,
    private readonly options: EmulatorOptions,
  ) {
    this.world = new World(seed);
    this.context = { baseUrl: url, pageSize: options.pageSize ?? 50 };
    this.shares = new ShareOperations(this.world, this.context, {
      pollsBeforeDone: options.operationPollsBeforeDone ?? 1,
      retryAfterInSeconds: options.retryAfterInSeconds ?? 1,
    });
    this.logger = options.logger ?? {
      warn: (details, message) => console.error(message, details),
    };

    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        this.logger.warn(
          { err: error },
          'Resource Manager emulator failed to respond to a request',
        );
        response.destroy();
      });
    });
  }

  get requests(): readonly RecordedRequest[] {
    return [...this.recorded];
  }

  get requestCount(): number {
    return this.recorded.length;
  }

  get writes(): readonly RecordedRequest[] {
    return this.recorded.filter((request) => request.method !== 'GET');
  }

  shareCalls(galleryId?: string): RecordedRequest[] {
    const expectedPath = galleryId === undefined ? undefined : `${pathKey(galleryId)}/share`;
    return this.recorded.filter(
      (request) =>
        request.method === 'POST' &&
        /\/share$/i.test(request.path) &&
        (expectedPath === undefined || pathKey(request.path) === expectedPath),
    );
  }

  clearRequests(): void {
    this.recorded = [];
  }

  resource(id: string): ArmResource | undefined {
    return this.world.get(id);
  }

  putResource(resource: ArmResource): void {
    if (typeof resource.id !== 'string' || !resource.id.startsWith('/')) {
      throw new TypeError(
        `putResource needs a resource id starting with "/", got ${String(resource.id)}.`,
      );
    }
    if (typeof resource.name !== 'string' || typeof resource.type !== 'string') {
      throw new TypeError(`putResource needs a name and a type for ${resource.id}.`);
    }
    this.world.put(resource);
  }

  deleteResource(id: string): boolean {
    return this.world.delete(id);
  }

  inject(fault: FaultDefinition): void {
    this.faults.add(fault);
  }

  failNextShare(failure: ShareFailure): void {
    this.shares.failNext(failure);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // The path is split off by hand because `new URL` reads `//subscriptions/…`, which
    // arm-authorization sends for scopes that start with "/", as a host name.
    const target = request.url ?? '/';
    const queryStart = target.includes('?') ? target.indexOf('?') : target.length;
    const searchParams = new URLSearchParams(target.slice(queryStart + 1));
    const method = (request.method ?? 'GET').toUpperCase();
    const path = normalizePath(target.slice(0, queryStart));
    const rawBody = await readBody(request);
    const body = parseBody(rawBody);

    const record: RecordedRequest = {
      sequence: ++this.sequence,
      method,
      path,
      query: Object.fromEntries(searchParams),
      body: body.ok ? body.value : rawBody.text,
      time: new Date().toISOString(),
    };
    this.recorded.push(record);

    if (this.options.latencyInMs) await delay(this.options.latencyInMs);

    const fault = this.faults.take(method, path);
    if (fault === 'reset') {
      request.socket.destroy();
      return;
    }
    if (fault === 'hang') return;

    const emulatorRequest: EmulatorRequest = {
      method,
      path,
      query: searchParams,
      body: body.ok ? body.value : undefined,
      headers: request.headers,
    };
    const answer =
      fault ?? this.route(emulatorRequest, rawBody.tooLarge, body.ok ? undefined : body.error);
    record.status = answer.status;
    send(response, answer);
  }

  private route(request: EmulatorRequest, tooLarge: boolean, bodyError?: string): EmulatorResponse {
    try {
      if (tooLarge) {
        throw new ArmError(
          413,
          'RequestEntityTooLarge',
          `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
        );
      }
      if (bodyError !== undefined) throw invalidRequestContent(bodyError);
      if (request.path.toLowerCase().startsWith('/v1.0/')) {
        return handleGraph(this.world, request, this.context);
      }
      return this.routeResourceManager(request);
    } catch (error) {
      if (error instanceof ArmError) {
        return {
          status: error.status,
          body: { error: { code: error.code, message: error.message } },
        };
      }
      this.logger.warn(
        { err: error, method: request.method, path: request.path },
        'Resource Manager emulator failed on a request and answered 500',
      );
      return {
        status: 500,
        body: {
          error: {
            code: 'InternalServerError',
            message: `The emulator failed on ${request.method} ${request.path}: ${(error as Error).message}`,
          },
        },
      };
    }
  }

  private routeResourceManager(request: EmulatorRequest): EmulatorResponse {
    if (!request.headers.authorization) throw missingAuthorizationHeader();
    if (!request.query.get('api-version')) throw missingApiVersion();

    const segments = splitPath(request.path).map((segment) => segment.toLowerCase());
    if (request.method === 'GET' && isOperationStatusPath(segments)) {
      return this.shares.poll(request, segments[7] ?? '');
    }
    if (request.method === 'POST' && isSharePath(segments)) return this.shares.begin(request);
    if (request.method !== 'GET') throw notServed(request.method, request.path);

    const providersIndex = lastProvidersIndex(segments);
    if (providersIndex !== -1 && segments[providersIndex + 1] === 'microsoft.authorization') {
      return handleAuthorizationProvider(this.world, request, this.context);
    }
    return getResourceOrCollection(this.world, request, this.context);
  }
}

/** `/subscriptions/{s}/providers/Microsoft.Compute/locations/{l}/capsOperations/{id}` */
function isOperationStatusPath(segments: string[]): boolean {
  return (
    segments.length === 8 &&
    segments[0] === 'subscriptions' &&
    segments[2] === 'providers' &&
    segments[3] === 'microsoft.compute' &&
    segments[4] === 'locations' &&
    segments[6] === 'capsoperations'
  );
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/galleries/{g}/share` */
function isSharePath(segments: string[]): boolean {
  return (
    segments.length === 9 &&
    segments[0] === 'subscriptions' &&
    segments[2] === 'resourcegroups' &&
    segments[4] === 'providers' &&
    segments[5] === 'microsoft.compute' &&
    segments[6] === 'galleries' &&
    segments[8] === 'share'
  );
}

function validateOptions(options: EmulatorOptions): void {
  const checks: [string, number | undefined, number][] = [
    ['port', options.port, 0],
    ['latencyInMs', options.latencyInMs, 0],
    ['operationPollsBeforeDone', options.operationPollsBeforeDone, 0],
    ['retryAfterInSeconds', options.retryAfterInSeconds, 0],
    ['pageSize', options.pageSize, 1],
  ];
  for (const [name, value, minimum] of checks) {
    if (value !== undefined && (!Number.isInteger(value) || value < minimum)) {
      throw new RangeError(
        `Emulator option ${name} must be an integer of at least ${minimum}, got ${value}.`,
      );
    }
  }
}
