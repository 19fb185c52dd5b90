import type { AdaptiveCard } from '../../src/cards/adaptive-card';
import { CardCache, type RenderedCard } from '../../src/cards/card-cache';

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
});
