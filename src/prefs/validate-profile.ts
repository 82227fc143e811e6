/** Strict check of a current-version profile record. Returns a fresh, fully typed copy. */
import { ID_PATTERN } from './ids.ts';
import { MAX_FEEDBACK, MAX_KEY_LENGTH, MAX_NAME_LENGTH, MAX_WEIGHT } from './limits.ts';
import { describe, exactKeys, fail, nameKey, num, numberMap, plainObject, str } from './schema-check.ts';
import { SCHEMA_VERSION, type Feedback, type LearnerState, type Profile } from './types.ts';
import { validateFeedback } from './validate-feedback.ts';
import { validateLearner } from './validate-learner.ts';

export function validateName(v: unknown, path: string): string {
  const name = str(v, path, MAX_NAME_LENGTH);
  if (name.trim().length === 0) fail(path, 'must not be empty');
  return name;
}

function perModel<T>(v: unknown, path: string, item: (x: unknown, p: string) => T): Record<string, T> {
  const obj = plainObject(v, path);
  const out: Record<string, T> = {};
  for (const [model, x] of Object.entries(obj)) {
    nameKey(model, `${path}.${model}`);
    if (model.length > MAX_KEY_LENGTH) fail(`${path}.${model}`, 'model id too long');
    out[model] = item(x, `${path}.${model}`);
  }
  return out;
}

export function validateProfile(v: unknown, path = 'profile'): Profile {
  const o = plainObject(v, path);
  if (o.v !== SCHEMA_VERSION) fail(`${path}.v`, `expected schema version ${SCHEMA_VERSION}, got ${describe(o.v)}`);
  exactKeys(o, path, ['v', 'id', 'name', 'createdAt', 'updatedAt', 'weights', 'feedback', 'learners']);
  if (!Array.isArray(o.feedback)) fail(`${path}.feedback`, `expected an array, got ${describe(o.feedback)}`);
  if (o.feedback.length > MAX_FEEDBACK) fail(`${path}.feedback`, `more than ${MAX_FEEDBACK} entries`);
  const feedback: Feedback[] = o.feedback.map((f, i) => validateFeedback(f, `${path}.feedback[${i}]`));
  const learners: Record<string, LearnerState> = perModel(o.learners, `${path}.learners`, validateLearner);
  return {
    v: SCHEMA_VERSION,
    id: str(o.id, `${path}.id`, 64, ID_PATTERN),
    name: validateName(o.name, `${path}.name`),
    createdAt: num(o.createdAt, `${path}.createdAt`, 0, 1e13),
    updatedAt: num(o.updatedAt, `${path}.updatedAt`, 0, 1e13),
    weights: perModel(o.weights, `${path}.weights`, (x, p) => numberMap(x, p, -MAX_WEIGHT, MAX_WEIGHT)),
    feedback,
    learners,
  };
}
