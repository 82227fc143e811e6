/** Raw IndexedDB failures → the typed TailorError the UI understands. */
import { TailorError } from '../errors.ts';

function nameOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string' ? e.name : '';
}

export function isQuotaError(e: unknown): boolean {
  const name = nameOf(e);
  // Firefox used its own name for the same condition before standardising.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** TailorErrors (e.g. a validation failure inside an updater) pass through unchanged. */
export function toStorageError(e: unknown): TailorError {
  if (e instanceof TailorError) return e;
  if (isQuotaError(e)) {
    return new TailorError('storage-quota', 'Not enough storage space to save your preferences; nothing was changed. Delete unused profiles or free browser storage.');
  }
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new TailorError('storage-unavailable', `Saving preferences failed (${what}); nothing was changed.`);
}
