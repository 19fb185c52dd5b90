import type { AdaptiveCard } from '../../src/cards/adaptive-card';
import { CardCache, type RenderedCard } from '../../src/cards/card-cache';
import { deepFreeze } from '../../src/deep-freeze';

function rendered(text: string): RenderedCard {
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text }],
  };
  const json = JSON.stringify(card);
  return { card, json, bytes: Buffer.byteLength(json) };
}

describe('CardCache', () => {
  it('renders equal inputs once', () => {
    const cache = new CardCache(4);
    const render = jest.fn(() => rendered('ready'));

    cache.renderOnce({ id: 'r-1', state: 'pending' }, render);
    const second = cache.renderOnce({ id: 'r-1', state: 'pending' }, render);

    expect(render).toHaveBeenCalledTimes(1);
    expect(second.body).toEqual([{ type: 'TextBlock', text: 'ready' }]);
  });

  it('renders changed inputs again', () => {
    const cache = new CardCache(4);
    const render = jest.fn(() => rendered('ready'));

    cache.renderOnce({ id: 'r-1', state: 'pending' }, render);
    cache.renderOnce({ id: 'r-1', state: 'approved' }, render);

    expect(render).toHaveBeenCalledTimes(2);
  });

  it('shares one frozen card', () => {
    const cache = new CardCache(4);
    const first = cache.renderOnce('inputs', () => rendered('ready'));
    const change = () => {
      (first.body as { text: string }[])[0]!.text = 'changed by a caller';
    };

    expect(change).toThrow(TypeError);
    const second = cache.renderOnce('inputs', () => rendered('other'));
    expect(second).toBe(first);
    expect(second.body).toEqual([{ type: 'TextBlock', text: 'ready' }]);
  });

  it('freezes a copy, not the rendered card', () => {
    const cache = new CardCache(4);
    const source = rendered('ready');

    const cached = cache.renderOnce('inputs', () => source);

    expect(cached).not.toBe(source.card);
    expect(Object.isFrozen(source.card)).toBe(false);
    expect(Object.isFrozen(source.card.body)).toBe(false);
  });

  it('drops the least recently used card', () => {
    const cache = new CardCache(2);
    const render = jest.fn((text: string) => rendered(text));

    cache.renderOnce('a', () => render('a'));
    cache.renderOnce('b', () => render('b'));
    cache.renderOnce('a', () => render('a'));
    cache.renderOnce('c', () => render('c'));
    cache.renderOnce('a', () => render('a'));
    cache.renderOnce('b', () => render('b'));

    expect(render.mock.calls.map(([text]) => text)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('tells long inputs apart that differ only at the end', () => {
    const cache = new CardCache(4);
    const render = jest.fn(() => rendered('ready'));
    const long = 'x'.repeat(5000);

    cache.renderOnce([long, 'a'], render);
    cache.renderOnce([long, 'a'], render);
    cache.renderOnce([long, 'b'], render);

    expect(render).toHaveBeenCalledTimes(2);
  });

  it('keys a deeply frozen input by its content, hashed once', () => {
    const cache = new CardCache(4);
    const render = jest.fn(() => rendered('ready'));
    const request = deepFreeze({ id: 'r-1', state: 'pending', images: ['a', 'b'] });
    const stringify = jest.spyOn(JSON, 'stringify');

    cache.renderOnce([request, { audience: 'approver' }], render);
    cache.renderOnce([request, { audience: 'approver' }], render);
    const hashedRequest = stringify.mock.calls.filter(([value]) => value === request).length;
    stringify.mockRestore();
    cache.renderOnce(
      [deepFreeze({ id: 'r-1', state: 'pending', images: ['a', 'b'] }), { audience: 'approver' }],
      render,
    );

    expect(hashedRequest).toBe(1);
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('tells frozen, plain and changed inputs apart', () => {
    const cache = new CardCache(8);
    const render = jest.fn(() => rendered('ready'));
    const frozen = deepFreeze({ id: 'r-1', state: 'pending' });

    cache.renderOnce([frozen], render);
    cache.renderOnce([{ id: 'r-1', state: 'pending' }], render);
    cache.renderOnce([deepFreeze({ id: 'r-1', state: 'approved' })], render);

    expect(render).toHaveBeenCalledTimes(3);
  });

  it('does not trust an input that is frozen only at the top', () => {
    const cache = new CardCache(4);
    const render = jest.fn(() => rendered('ready'));
    const request = Object.freeze({ id: 'r-1', decision: { outcome: 'pending' } });

    cache.renderOnce([request], render);
    request.decision.outcome = 'approved';
    cache.renderOnce([request], render);

    expect(render).toHaveBeenCalledTimes(2);
  });
});
