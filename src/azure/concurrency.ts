/**
 * Maps items with at most `limit` calls of `fn` in flight, keeping the input order. The first
 * rejection rejects the whole map and no call starts after it; calls already started still
 * finish.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  return mapIterableWithConcurrency(items, limit, fn);
}

/**
 * Maps the items of an iterable or async iterable, such as an Azure SDK paged list, with at
 * most `limit` calls of `fn` in flight. Each call starts as soon as its item arrives, so the
 * calls for the first page run while the next page is read. Results keep the source order.
 * The first rejection, of `fn` or of the source, rejects the whole map and no call starts
 * after it; calls already started still finish.
 */
export async function mapIterableWithConcurrency<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`The concurrency limit must be a positive integer, got ${limit}.`);
  }
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : toAsyncIterator(source[Symbol.iterator]());
  const results: R[] = [];
  let nextIndex = 0;
  let failed = false;
  // Workers take items one after another, because not every async iterator accepts a `next`
  // call before the previous one settles.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next;
    return next;
  };

  const worker = async (): Promise<void> => {
    try {
      while (!failed) {
        const step = await pull();
        if (step.done || failed) return;
        const index = nextIndex++;
        results[index] = await fn(step.value, index);
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  };

  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function toAsyncIterator<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}
