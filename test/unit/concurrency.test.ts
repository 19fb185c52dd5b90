import { mapIterableWithConcurrency, mapWithConcurrency } from '../../src/azure/concurrency';

/** Creates a promise that the test settles by hand, to control which calls are in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('mapIterableWithConcurrency', () => {
  it('keeps the source order', async () => {
    const delays = [30, 5, 20, 1, 10];
    const results = await mapIterableWithConcurrency(delays, 3, async (delay, index) => {
      await new Promise((resolve) => setTimeout(resolve, delay));
      return `${index}:${delay}`;
    });
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
  });

  it('never exceeds the limit in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await mapIterableWithConcurrency(
      Array.from({ length: 40 }, (_, index) => index),
      4,
      async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
      },
    );
    expect(maxInFlight).toBe(4);
  });

  it('starts calls before the source ends', async () => {
    const secondPage = deferred<void>();
    const started: number[] = [];
    async function* pages() {
      yield 1;
      yield 2;
      await secondPage.promise;
      yield 3;
    }

    const mapping = mapIterableWithConcurrency(pages(), 8, async (item) => {
      started.push(item);
      return item * 10;
    });
    await settle();
    expect(started).toEqual([1, 2]);

    secondPage.resolve();
    await expect(mapping).resolves.toEqual([10, 20, 30]);
  });

  it('starts no call after a rejection', async () => {
    const calls = Array.from({ length: 10 }, () => deferred<number>());
    const started: number[] = [];
    const mapping = mapIterableWithConcurrency(
      calls.map((_, index) => index),
      2,
      (index) => {
        started.push(index);
        return (calls[index] as ReturnType<typeof deferred<number>>).promise;
      },
    );
    await settle();
    expect(started).toEqual([0, 1]);

    calls[0]?.reject(new Error('version list failed'));
    await expect(mapping).rejects.toThrow('version list failed');
    calls[1]?.resolve(1);
    await settle();
    expect(started).toEqual([0, 1]);
  });

  it('rejects when the source fails', async () => {
    async function* failingPages() {
      yield 1;
      throw new Error('page 2 failed');
    }
    await expect(
      mapIterableWithConcurrency(failingPages(), 4, async (item) => item),
    ).rejects.toThrow('page 2 failed');
  });

  it('pulls one item at a time', async () => {
    let pending = 0;
    let maxPending = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => {
        let next = 0;
        return {
          next: async () => {
            pending += 1;
            maxPending = Math.max(maxPending, pending);
            await new Promise((resolve) => setTimeout(resolve, 1));
            pending -= 1;
            return next < 5 ? { done: false, value: next++ } : { done: true, value: undefined };
          },
        };
      },
    };
    await expect(mapIterableWithConcurrency(source, 4, async (item) => item)).resolves.toEqual([
      0, 1, 2, 3, 4,
    ]);
    expect(maxPending).toBe(1);
  });

  it('rejects an invalid limit', async () => {
    await expect(mapIterableWithConcurrency([1], 0, async (item) => item)).rejects.toThrow(
      RangeError,
    );
  });
});

describe('mapWithConcurrency', () => {
  it('maps an empty array', async () => {
    await expect(mapWithConcurrency([], 16, async (item) => item)).resolves.toEqual([]);
  });
});
