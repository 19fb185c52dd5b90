import { Agent, request } from 'node:https';
import { mapIterableWithConcurrency } from '../src/azure/concurrency';

/** The compute API version that `@azure/arm-compute` 24 sends for galleries. */
const COMPUTE_API_VERSION = '2025-03-03';

interface Page {
  value?: { name?: string }[];
  nextLink?: string;
}

/**
 * Reads a gallery with the requests that the bot's inspection makes, in the same order and
 * with the same concurrency, but through Node's `https` alone: no Azure SDK, no checks, no
 * store, no card. The echo bot runs it for the preview baseline, so the baseline pays for the
 * round trips themselves, with their TLS and HTTP costs, and for nothing else.
 */
export class PlainGalleryReader {
  private readonly agent: Agent;

  constructor(
    private readonly resourceManagerUrl: string,
    caCertificate: string | undefined,
    private readonly concurrency: number,
  ) {
    this.agent = new Agent({ keepAlive: true, ca: caCertificate });
  }

  /** Reads the gallery with resource id `galleryId` and returns its image definition count. */
  async read(galleryId: string): Promise<number> {
    const [, images] = await Promise.all([
      this.getJson(this.url(galleryId)),
      mapIterableWithConcurrency(
        this.items(this.url(`${galleryId}/images`)),
        this.concurrency,
        (image) => this.countItems(this.url(`${galleryId}/images/${image.name ?? ''}/versions`)),
      ),
      this.countItems(this.url(`${galleryId}/applications`)),
    ]);
    return images.length;
  }

  close(): void {
    this.agent.destroy();
  }

  private url(path: string): string {
    return `${this.resourceManagerUrl}${path}?api-version=${COMPUTE_API_VERSION}`;
  }

  /** Yields every item of a list, following `nextLink` as the SDK's paged iterators do. */
  private async *items(firstUrl: string): AsyncGenerator<{ name?: string }> {
    for (let url: string | undefined = firstUrl; url; ) {
      const page = (await this.getJson(url)) as Page;
      yield* page.value ?? [];
      url = page.nextLink;
    }
  }

  /** Reads every page of a list and returns how many items it has. */
  private async countItems(firstUrl: string): Promise<number> {
    const iterator = this.items(firstUrl);
    let count = 0;
    while (!(await iterator.next()).done) count += 1;
    return count;
  }

  private getJson(url: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          agent: this.agent,
          headers: { authorization: 'Bearer bench', accept: 'application/json' },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((response.statusCode ?? 0) >= 400) {
              reject(
                new Error(
                  `GET ${url} failed with status ${response.statusCode}: ${text.slice(0, 200)}`,
                ),
              );
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch (error) {
              reject(error as Error);
            }
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
  }
}
