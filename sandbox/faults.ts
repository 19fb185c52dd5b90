/** A scripted HTTP response, a reset connection, or no response until the emulator closes. */
export type FaultAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'reset'
  | 'hang';

export interface FaultDefinition {
  /** HTTP method to match, any when omitted. */
  method?: string;
  /** A RegExp tested against the request path, or a path compared case-insensitively. */
  path: RegExp | string;
  /** Number of matching requests that get this response; default 1. */
  times?: number;
  answer: FaultAnswer;
}

interface PendingFault {
  definition: FaultDefinition;
  remaining: number;
}

/** Scripted responses for matching requests, applied before any route runs, oldest first. */
export class FaultInjector {
  private readonly pending: PendingFault[] = [];

  add(definition: FaultDefinition): void {
    const times = definition.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new RangeError(`Fault times must be a positive integer, got ${times}.`);
    }
    this.pending.push({ definition, remaining: times });
  }

  /** Returns the response of the oldest fault matching the request and uses up one of its times. */
  take(method: string, path: string): FaultAnswer | undefined {
    const index = this.pending.findIndex((fault) => matches(fault.definition, method, path));
    const fault = this.pending[index];
    if (!fault) return undefined;

    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(index, 1);
    return fault.definition.answer;
  }
}

function matches(definition: FaultDefinition, method: string, path: string): boolean {
  if (definition.method && definition.method.toUpperCase() !== method.toUpperCase()) return false;
  if (typeof definition.path === 'string') {
    return definition.path.toLowerCase() === path.toLowerCase();
  }
  definition.path.lastIndex = 0;
  return definition.path.test(path);
}
