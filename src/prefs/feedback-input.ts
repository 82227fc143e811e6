/** Caller-supplied feedback → a complete, validated Feedback entry (refused before any write). */
import { TailorError } from '../errors.ts';
import { SchemaError } from './schema-check.ts';
import type { Feedback, FeedbackInput } from './types.ts';
import { validateFeedback } from './validate-feedback.ts';

export function completeFeedback(input: FeedbackInput, id: string, now: number): Feedback {
  try {
    return validateFeedback({ ...input, id, at: input.at ?? now }, 'feedback');
  } catch (e) {
    if (e instanceof SchemaError) {
      const code = /weights/.test(e.path) ? 'invalid-weights' : 'invalid-options';
      throw new TailorError(code, `${e.path}: ${e.problem}`);
    }
    throw e;
  }
}
