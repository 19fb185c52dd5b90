import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdaptiveCard } from '../../src/cards';

const SCHEMA_PATH = join(__dirname, 'fixtures', 'adaptive-card-1.5.schema.json');

let validator: ValidateFunction | undefined;

/**
 * Compiles the Adaptive Card 1.5 schema with Ajv 8. The schema is JSON Schema draft-06 and
 * names itself with the draft-04 keyword `id`, which Ajv 8 rejects, so `id` is renamed `$id`.
 * Its annotation keywords `version`, `features` and `example` are declared so that strict
 * mode accepts them, and `strictTypes` is off because its enum patterns omit `type: string`.
 */
function compileSchema(): ValidateFunction {
  const { id, ...schema } = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
    id: string;
    [keyword: string]: unknown;
  };
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  ajv.addMetaSchema(draft06MetaSchema);
  ajv.addVocabulary(['version', 'features', 'example']);
  addFormats(ajv);
  return ajv.compile({ $id: id, ...schema });
}

/** Returns the schema errors of a card as readable lines; empty when the card is valid. */
export function schemaErrors(card: unknown): string[] {
  validator ??= compileSchema();
  if (validator(card)) return [];
  return (validator.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Calls `visit` on every object in the card with the chain of objects above it. */
export function walkObjects(
  node: unknown,
  visit: (object: JsonObject, ancestors: JsonObject[]) => void,
  ancestors: JsonObject[] = [],
): void {
  if (Array.isArray(node)) {
    for (const item of node) walkObjects(item, visit, ancestors);
    return;
  }
  if (!isObject(node)) return;

  visit(node, ancestors);
  for (const value of Object.values(node)) walkObjects(value, visit, [...ancestors, node]);
}

/** Returns every object of the given `type`, such as `TextRun` or `Action.Execute`. */
export function findByType(card: AdaptiveCard, type: string): JsonObject[] {
  const found: JsonObject[] = [];
  walkObjects(card, (object) => {
    if (object.type === type) found.push(object);
  });
  return found;
}

/** Returns the text of every `TextRun`. */
export function textRunTexts(card: AdaptiveCard): string[] {
  return findByType(card, 'TextRun').map((run) => String(run.text));
}

/**
 * Returns every string that a client displays or interprets outside `TextRun` text: text of
 * TextBlock and FactSet, titles, labels, placeholders, error messages and fallback text.
 * Action data is left out because clients never display it.
 */
export function stringsOutsideTextRuns(card: AdaptiveCard): string[] {
  const strings: string[] = [];
  const collect = (node: unknown, inActionData: boolean, inTextRun: boolean): void => {
    if (typeof node === 'string') {
      if (!inActionData && !inTextRun) strings.push(node);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) collect(item, inActionData, inTextRun);
      return;
    }
    if (!isObject(node)) return;

    const isTextRun = node.type === 'TextRun';
    for (const [key, value] of Object.entries(node)) {
      if (key === 'data') collect(value, true, inTextRun);
      else if (isTextRun && key === 'text') collect(value, inActionData, true);
      else collect(value, inActionData, inTextRun);
    }
  };
  collect(card, false, false);
  return strings;
}

/** An `Action.Execute` with the object that contains it. */
export interface ExecuteAction {
  action: JsonObject;
  parent: JsonObject | undefined;
}

/** Returns every `Action.Execute` that a user can click, leaving out the card's `refresh`. */
export function executeActions(card: AdaptiveCard): ExecuteAction[] {
  const found: ExecuteAction[] = [];
  walkObjects(card, (object, ancestors) => {
    const parent = ancestors[ancestors.length - 1];
    if (object.type !== 'Action.Execute' || parent === card.refresh) return;
    found.push({ action: object, parent });
  });
  return found;
}

/** Returns the data of every action with the given verb. */
export function actionData(card: AdaptiveCard, verb: string): JsonObject[] {
  return executeActions(card)
    .map(({ action }) => action)
    .filter((action) => action.verb === verb)
    .map((action) => (isObject(action.data) ? action.data : {}));
}

/** Returns the inputs of the card, including those inside `Action.ShowCard` cards. */
export function inputs(card: AdaptiveCard): JsonObject[] {
  const found: JsonObject[] = [];
  walkObjects(card, (object) => {
    if (typeof object.type === 'string' && object.type.startsWith('Input.')) found.push(object);
  });
  return found;
}

/**
 * Returns what the card shows, one entry per element: a TextBlock's text, a RichTextBlock's runs
 * joined, an input's label and an action's title. Good for `toContain` checks.
 */
export function visibleLines(card: AdaptiveCard): string[] {
  const lines: string[] = [];
  walkObjects(card, (object) => {
    if (object.type === 'TextBlock') lines.push(String(object.text));
    if (object.type === 'RichTextBlock' && Array.isArray(object.inlines)) {
      lines.push(object.inlines.map((run) => (isObject(run) ? String(run.text) : '')).join(''));
    }
    if (typeof object.type === 'string' && object.type.startsWith('Input.')) {
      lines.push(String(object.label));
    }
    if (typeof object.type === 'string' && object.type.startsWith('Action.') && object.title) {
      lines.push(String(object.title));
    }
  });
  return lines;
}

/** Returns `visibleLines` joined by newlines. */
export function visibleText(card: AdaptiveCard): string {
  return visibleLines(card).join('\n');
}
