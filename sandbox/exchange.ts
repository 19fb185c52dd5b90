import { badRequest } from './arm-errors';

/** A parsed request, as route handlers see it. */
export interface EmulatorRequest {
  method: string;
  /** Path with empty segments removed, casing as sent. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Settings the route handlers share. */
export interface RouteContext {
  /** `https://127.0.0.1:<port>`, the origin of every link the emulator returns. */
  baseUrl: string;
  pageSize: number;
}

/**
 * Returns one page of a list and, when more items follow, the link to the next page: the
 * same path and query with `$skiptoken` set to the offset of the next item.
 */
export function pageOf<T>(
  items: T[],
  request: EmulatorRequest,
  context: RouteContext,
  nextLinkName: 'nextLink' | '@odata.nextLink' = 'nextLink',
): Record<string, unknown> {
  const pageSize = pageSizeOf(request, context);
  const offset = offsetOf(request);
  const page: Record<string, unknown> = { value: items.slice(offset, offset + pageSize) };

  if (offset + pageSize < items.length) {
    const query = new URLSearchParams(request.query);
    query.set('$skiptoken', String(offset + pageSize));
    page[nextLinkName] = `${context.baseUrl}${request.path}?${query.toString()}`;
  }
  return page;
}

function pageSizeOf(request: EmulatorRequest, context: RouteContext): number {
  const top = request.query.get('$top');
  if (top === null) return context.pageSize;
  const value = Number(top);
  if (!Number.isInteger(value) || value < 1) {
    throw badRequest('InvalidParameter', `The value '${top}' of $top is not a positive integer.`);
  }
  return value;
}

function offsetOf(request: EmulatorRequest): number {
  const token = request.query.get('$skiptoken');
  if (token === null) return 0;
  const offset = Number(token);
  if (!Number.isInteger(offset) || offset < 0) {
    throw badRequest('InvalidParameter', `The $skiptoken '${token}' is not valid.`);
  }
  return offset;
}
