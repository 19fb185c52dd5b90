import { Template } from 'adaptivecards-templating';
import { CardTemplate, TemplateSyntaxError } from '../../src/cards/template';
import { everyOtherCard, everyRequestCard, imageListPages } from './card-matrix';
import { makeFinding, makeImages, makeRequest, makeSnapshot } from './request-factory';

interface Expansion {
  payload: unknown;
  view: unknown;
  card: unknown;
}

/** Renders every card of the matrix and records each template expansion on the way. */
function recordExpansions(render: () => void): Expansion[] {
  const expansions: Expansion[] = [];
  const original = CardTemplate.prototype.expand;
  const spy = jest.spyOn(CardTemplate.prototype, 'expand').mockImplementation(function (
    this: CardTemplate,
    view: unknown,
  ) {
    const card = original.call(this, view);
    expansions.push({ payload: this.payload, view: structuredClone(view), card });
    return card;
  });
  try {
    render();
  } finally {
    spy.mockRestore();
  }
  return expansions;
}

/** Expands with the library and removes the null properties that `CardTemplate` leaves out. */
function expandWithLibrary(payload: unknown, view: unknown): unknown {
  return dropNullProperties(new Template(payload).expand({ $root: view }));
}

function dropNullProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNullProperties);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== null)
      .map(([key, item]) => [key, dropNullProperties(item)]),
  );
}

describe('CardTemplate', () => {
  const expansions = recordExpansions(() => {
    everyRequestCard();
    everyOtherCard();
    everyRequestCard((state, kind) =>
      makeRequest({
        state,
        kind,
        snapshot: makeSnapshot({ images: makeImages(60) }),
        findings: [makeFinding({ severity: 'blocker' }), makeFinding()],
      }),
    );
    imageListPages(makeRequest({ snapshot: makeSnapshot({ images: makeImages(60) }) }));
  });

  it('expands every card in the matrix', () => {
    expect(expansions.length).toBeGreaterThan(50);
    const templates = new Set(expansions.map((expansion) => expansion.payload));
    expect(templates.size).toBeGreaterThanOrEqual(5);
  });

  it('matches adaptivecards-templating', () => {
    const differing = expansions
      .filter(
        ({ payload, view, card }) =>
          JSON.stringify(card) !== JSON.stringify(expandWithLibrary(payload, view)),
      )
      .map(({ view }) => JSON.stringify(view).slice(0, 300));
    expect(differing).toEqual([]);
  });

  it.each([
    ['path', { a: '${name}' }, { name: 'x' }],
    ['nested path', { a: '${gallery.name}' }, { gallery: { name: 'g' } }],
    ['missing field', { a: '${missing}', b: 'x ${missing} y' }, {}],
    [
      'typed value',
      { a: '${count}', b: '${flag}', c: '${list}' },
      { count: 3, flag: true, list: [1] },
    ],
    ['text', { a: 'Page ${n} of ${m}' }, { n: 1, m: 2 }],
    ['values in text', { a: '${flag} ${list}' }, { flag: false, list: [1, 2] }],
    ['when false', { body: [{ $when: '${flag}', text: 'x' }, { text: 'y' }] }, { flag: false }],
    ['when on property', { refresh: { $when: '${exists(r)}', x: '${r}' } }, {}],
    ['when not boolean', { body: [{ $when: '${name}', text: 'x' }] }, { name: 'y' }],
    [
      'repeat',
      { body: [{ $data: '${items}', text: '${$data} ${$index}' }] },
      { items: ['a', 'b'] },
    ],
    ['repeat one', { item: { $data: '${items}', text: '${name}' } }, { items: [{ name: 'a' }] }],
    ['repeat none', { body: [{ $data: '${items}', text: '${name}' }] }, { items: [] }],
    [
      'bind object',
      { a: { $data: '${inner}', text: '${name} ${$root.top}' } },
      { inner: { name: 'n' }, top: 't' },
    ],
    [
      'nested repeat',
      { body: [{ $data: '${rows}', cells: [{ $data: '${cells}', text: '${$data}' }] }] },
      { rows: [{ cells: ['a', 'b'] }, { cells: ['c'] }] },
    ],
    [
      'comparison',
      {
        body: [
          { $when: "${style == 'plain'}", t: 'p' },
          { $when: "${note != ''}", t: 'n' },
        ],
      },
      { style: 'plain', note: '' },
    ],
    [
      'logic',
      {
        body: [
          { $when: '${a || b}', t: '1' },
          { $when: '${!a && c}', t: '2' },
        ],
      },
      { a: null, b: { x: 1 }, c: 0 },
    ],
    ['count', { body: [{ $when: '${count(items) > 0}', t: 'some' }] }, { items: ['a'] }],
    ['literal dollar text', { a: 'costs $5', b: '${text}' }, { text: '${not.parsed}' }],
  ])('%s matches the library', (_name, payload, view) => {
    expect(new CardTemplate(payload).expand(view)).toEqual(expandWithLibrary(payload, view));
  });

  it.each([
    ['function', '${toUpper(name)}'],
    ['arithmetic', '${a + 1}'],
    ['index', '${items[0]}'],
    ['no closing brace', '${name'],
  ])('rejects %s', (_name, binding) => {
    expect(() => new CardTemplate({ text: binding })).toThrow(TemplateSyntaxError);
  });
});
