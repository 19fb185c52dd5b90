/**
 * Expands the Adaptive Card templates in `cards/` with the semantics of adaptivecards-templating
 * 2.3, for the subset of the template language they use. That library evaluates every binding
 * through the general Adaptive Expressions interpreter, and a request card took about 6.5 ms
 * with it against about 1 ms here (a micro-benchmark of 10-image request cards).
 *
 * Supported syntax:
 * - `${path}` bindings, where a path is `$root`, `$data`, `$index` or property names joined by
 *   dots, and text with several bindings;
 * - `$data` to bind or repeat an object, and `$when` to keep or drop it;
 * - string, number and boolean literals;
 * - `==`, `!=`, `<`, `<=`, `>`, `>=`, `!`, `&&` and `||`;
 * - the functions `exists` and `count`.
 *
 * Preparing a template that uses anything else raises `TemplateSyntaxError`, so a new template
 * cannot silently render differently. A test expands every card with both this module and the
 * library and compares the results.
 */

/** Raised when a template uses syntax that this module does not support. */
export class TemplateSyntaxError extends Error {
  constructor(text: string, reason: string) {
    super(`Unsupported template expression "${text}": ${reason}.`);
    this.name = 'TemplateSyntaxError';
  }
}

type Expression =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'path'; text: string; segments: string[] }
  | { kind: 'not'; operand: Expression }
  | { kind: 'logical'; operator: '&&' | '||'; operands: Expression[] }
  | { kind: 'compare'; operator: CompareOperator; left: Expression; right: Expression }
  | { kind: 'call'; name: 'exists' | 'count'; argument: Expression };

type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A string with bindings: one binding alone keeps its value's type, text makes a string. */
type Binding =
  | { kind: 'single'; expression: Expression }
  | { kind: 'text'; parts: (string | Expression)[] };

type PreparedNode =
  | Binding
  | PreparedNode[]
  | {
      kind: 'object';
      data?: PreparedValue;
      when?: PreparedValue;
      entries: [string, PreparedNode][];
    }
  | { kind: 'constant'; value: unknown };

type PreparedValue = Binding | { kind: 'constant'; value: unknown };

/** Property names that the library reads as directives and never copies to the card. */
const RESERVED_FIELDS = new Set([
  '$data',
  '$when',
  '$root',
  '$index',
  '$host',
  '$_acTemplateVersion',
]);

interface Scope {
  root: unknown;
  data: unknown;
  index: number | undefined;
}

/** A parsed template, ready to expand with many view models. */
export class CardTemplate {
  private readonly prepared: PreparedNode;

  constructor(readonly payload: unknown) {
    this.prepared = prepareNode(payload);
  }

  /**
   * Returns the card for a view model, as `new Template(payload).expand({ $root: view })` of
   * adaptivecards-templating 2.3 would, but without properties whose value is null. The
   * library turns an object property whose `$when` is false (like an optional `refresh`) into
   * null, which the Adaptive Card schema rejects.
   */
  expand(view: unknown): unknown {
    return expandNode(this.prepared, { root: view, data: view, index: undefined });
  }
}

function prepareNode(node: unknown): PreparedNode {
  if (typeof node === 'string') {
    return node.includes('${') ? parseBinding(node) : { kind: 'constant', value: node };
  }
  if (Array.isArray(node)) return node.map(prepareNode);
  if (typeof node !== 'object' || node === null) return { kind: 'constant', value: node };

  const record = node as Record<string, unknown>;
  const entries: [string, PreparedNode][] = [];
  for (const [key, value] of Object.entries(record)) {
    if (!RESERVED_FIELDS.has(key)) entries.push([key, prepareNode(value)]);
  }
  return {
    kind: 'object',
    data: '$data' in record ? prepareValue(record.$data) : undefined,
    when: '$when' in record ? prepareValue(record.$when) : undefined,
    entries,
  };
}

function prepareValue(value: unknown): PreparedValue {
  return typeof value === 'string' && value.includes('${')
    ? parseBinding(value)
    : { kind: 'constant', value };
}

function isBinding(node: PreparedNode): node is Binding {
  return !Array.isArray(node) && (node.kind === 'single' || node.kind === 'text');
}

/** Expands a node as the library does: arrays flatten repeated items and skip dropped ones. */
function expandNode(node: PreparedNode, scope: Scope): unknown {
  if (Array.isArray(node)) {
    const items: unknown[] = [];
    for (const item of node) {
      const expanded = expandNode(item, scope);
      if (expanded === null) continue;
      if (Array.isArray(expanded)) items.push(...(expanded as unknown[]));
      else items.push(expanded);
    }
    return items;
  }
  if (isBinding(node)) return evaluateBinding(node, scope);
  if (node.kind === 'constant') return node.value;

  let contexts: unknown[] = [undefined];
  let isRepeated = false;
  if (node.data !== undefined) {
    const data = isBinding(node.data) ? evaluateBinding(node.data, scope) : node.data.value;
    isRepeated = Array.isArray(data);
    contexts = isRepeated ? (data as unknown[]) : [data];
  }

  const results: Record<string, unknown>[] = [];
  contexts.forEach((context, index) => {
    const itemScope: Scope = {
      root: scope.root,
      data: context !== undefined ? context : scope.data,
      index: isRepeated ? index : scope.index,
    };
    if (node.when !== undefined && !isWhenTrue(node.when, itemScope)) return;

    const result: Record<string, unknown> = {};
    for (const [key, value] of node.entries) {
      const expanded = expandNode(value, itemScope);
      if (expanded !== undefined && expanded !== null) result[key] = expanded;
    }
    results.push(result);
  });

  if (results.length === 0) return null;
  return results.length === 1 ? results[0] : results;
}

/** Returns whether `$when` keeps an object: only a boolean true does, and an error drops it. */
function isWhenTrue(when: PreparedValue, scope: Scope): boolean {
  if (!isBinding(when)) return false;
  try {
    return evaluateBinding(when, scope, { substitute: false }) === true;
  } catch {
    return false;
  }
}

function evaluateBinding(
  binding: Binding,
  scope: Scope,
  options: { substitute: boolean } = { substitute: true },
): unknown {
  if (binding.kind === 'single') {
    const value = evaluate(binding.expression, scope);
    // The library substitutes the text `${path}` for a missing field.
    if (value === undefined && options.substitute && binding.expression.kind === 'path') {
      return `\${${binding.expression.text}}`;
    }
    if (value === undefined && binding.expression.kind !== 'path') {
      throw new Error('The template expression returned no value.');
    }
    return value;
  }

  let text = '';
  for (const part of binding.parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    let value: unknown;
    try {
      value = evaluate(part, scope);
    } catch {
      value = undefined;
    }
    text +=
      value === undefined || value === null
        ? `\${${part.kind === 'path' ? part.text : 'expression'}}`
        : String(value);
  }
  return text;
}

function evaluate(expression: Expression, scope: Scope): unknown {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'path':
      return lookUp(expression.segments, scope);
    case 'not':
      return !isTruthy(evaluate(expression.operand, scope));
    case 'logical':
      return expression.operator === '&&'
        ? expression.operands.every((operand) => isTruthy(evaluate(operand, scope)))
        : expression.operands.some((operand) => isTruthy(evaluate(operand, scope)));
    case 'compare':
      return compare(
        expression.operator,
        evaluate(expression.left, scope),
        evaluate(expression.right, scope),
      );
    case 'call': {
      const value = evaluate(expression.argument, scope);
      if (expression.name === 'exists') return value !== undefined && value !== null;
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      throw new Error('count() expects a string or an array.');
    }
  }
}

/** Adaptive Expressions' truth: false, null and undefined are false, every other value true. */
function isTruthy(value: unknown): boolean {
  return typeof value === 'boolean' ? value : value !== undefined && value !== null;
}

function compare(operator: CompareOperator, left: unknown, right: unknown): boolean {
  if (operator === '==') return isEqual(left, right);
  if (operator === '!=') return !isEqual(left, right);
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new Error(`${operator} expects two numbers.`);
  }
  if (operator === '<') return left < right;
  if (operator === '<=') return left <= right;
  if (operator === '>') return left > right;
  return left >= right;
}

function isEqual(left: unknown, right: unknown): boolean {
  if ((left === undefined || left === null) && (right === undefined || right === null)) {
    return true;
  }
  return left === right;
}

function lookUp(segments: readonly string[], scope: Scope): unknown {
  const [first, ...rest] = segments;
  let value: unknown;
  let remaining = rest;
  if (first === '$root') value = scope.root;
  else if (first === '$data') value = scope.data;
  else if (first === '$index') value = scope.index;
  else {
    value = scope.data;
    remaining = segments.slice();
  }

  for (const name of remaining) {
    if (value === undefined || value === null || typeof value !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** Splits a string into text and `${…}` expressions; quotes inside an expression may hold `}`. */
function parseBinding(source: string): Binding {
  const parts: (string | Expression)[] = [];
  let position = 0;
  while (position < source.length) {
    const start = source.indexOf('${', position);
    if (start < 0) {
      parts.push(source.slice(position));
      break;
    }
    if (start > position) parts.push(source.slice(position, start));
    const end = findClosingBrace(source, start + 2);
    parts.push(parseExpression(source.slice(start + 2, end)));
    position = end + 1;
  }

  const [only] = parts;
  if (parts.length === 1 && only !== undefined && typeof only !== 'string') {
    return { kind: 'single', expression: only };
  }
  return { kind: 'text', parts };
}

function findClosingBrace(source: string, from: number): number {
  let quote: string | undefined;
  for (let index = from; index < source.length; index++) {
    const char = source[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '}') {
      return index;
    }
  }
  throw new TemplateSyntaxError(source, 'the binding has no closing brace');
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|(\$?[A-Za-z_][\w]*(?:\.\$?[A-Za-z_]\w*)*)|(==|!=|<=|>=|&&|\|\||[<>!(),]))/y;

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'operator'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new TemplateSyntaxError(text, `unexpected text at ${start}`);
    const [, number, single, double, name, operator] = match;
    if (number !== undefined) tokens.push({ kind: 'number', value: Number(number) });
    else if (single !== undefined) tokens.push({ kind: 'string', value: single });
    else if (double !== undefined) tokens.push({ kind: 'string', value: double });
    else if (name !== undefined) tokens.push({ kind: 'name', value: name });
    else tokens.push({ kind: 'operator', value: operator ?? '' });
  }
  return tokens;
}

/** Parses one expression with the precedence of Adaptive Expressions: `||`, `&&`, comparison, `!`. */
function parseExpression(text: string): Expression {
  const tokens = tokenize(text);
  let next = 0;
  const peek = (): Token | undefined => tokens[next];
  const isOperator = (value: string): boolean => {
    const token = peek();
    return token?.kind === 'operator' && token.value === value;
  };
  const expect = (value: string): void => {
    if (!isOperator(value)) throw new TemplateSyntaxError(text, `expected "${value}"`);
    next += 1;
  };

  const parseLogical = (operator: '&&' | '||', parseOperand: () => Expression) => () => {
    const operands = [parseOperand()];
    while (isOperator(operator)) {
      next += 1;
      operands.push(parseOperand());
    }
    const [first] = operands;
    return operands.length === 1 && first
      ? first
      : { kind: 'logical' as const, operator, operands };
  };

  const parsePrimary = (): Expression => {
    const token = peek();
    next += 1;
    if (!token) throw new TemplateSyntaxError(text, 'the expression ends early');
    if (token.kind === 'number' || token.kind === 'string') {
      return { kind: 'literal', value: token.value };
    }
    if (token.kind === 'operator' && token.value === '(') {
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (token.kind === 'operator' && token.value === '!') {
      return { kind: 'not', operand: parsePrimary() };
    }
    if (token.kind !== 'name') throw new TemplateSyntaxError(text, `unexpected "${token.value}"`);

    if (token.value === 'true' || token.value === 'false') {
      return { kind: 'literal', value: token.value === 'true' };
    }
    if (token.value === 'null') return { kind: 'literal', value: null };
    if (isOperator('(')) {
      if (token.value !== 'exists' && token.value !== 'count') {
        throw new TemplateSyntaxError(text, `the function ${token.value} is not supported`);
      }
      next += 1;
      const argument = parseOr();
      expect(')');
      return { kind: 'call', name: token.value, argument };
    }
    return { kind: 'path', text: token.value, segments: token.value.split('.') };
  };

  const parseComparison = (): Expression => {
    const left = parsePrimary();
    const token = peek();
    const operators: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
    if (token?.kind !== 'operator' || !operators.includes(token.value)) return left;
    next += 1;
    return {
      kind: 'compare',
      operator: token.value as CompareOperator,
      left,
      right: parsePrimary(),
    };
  };

  const parseAnd = parseLogical('&&', parseComparison);
  const parseOr: () => Expression = parseLogical('||', parseAnd);

  const expression = parseOr();
  if (next < tokens.length) throw new TemplateSyntaxError(text, 'unexpected text after the end');
  return expression;
}
