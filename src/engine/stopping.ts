/**
 * Stop conditions, as pure functions over the generated tail. Stop strings are searched only in
 * the window the newest text could have completed, so each check is O(new text + stop length).
 */
export type FinishReason = 'eos' | 'stop' | 'length' | 'aborted';

/**
 * Index in `text` of the earliest stop string completed by the text appended after `previousLength`
 * (the text length before this token), or −1. A stop string may straddle token boundaries, so the
 * search starts up to `stop.length − 1` characters before the new text.
 */
export function findStopString(text: string, stopStrings: readonly string[], previousLength: number): number {
  let earliest = -1;
  for (const stop of stopStrings) {
    const from = Math.max(0, previousLength - stop.length + 1);
    const at = text.indexOf(stop, from);
    if (at >= 0 && (earliest < 0 || at < earliest)) earliest = at;
  }
  return earliest;
}

/**
 * Length of the longest suffix of `text` that is a proper prefix of some stop string. That much
 * text must be held back from the stream: if the next token completes the stop string, the text
 * already shown would otherwise contain its beginning.
 */
export function heldBackLength(text: string, stopStrings: readonly string[]): number {
  let held = 0;
  for (const stop of stopStrings) {
    for (let k = Math.min(stop.length - 1, text.length); k > held; k--) {
      if (endsWithPrefix(text, stop, k)) {
        held = k;
        break;
      }
    }
  }
  return held;
}

/** text ends with stop[0..k), compared in place to avoid a slice per candidate length. */
function endsWithPrefix(text: string, stop: string, k: number): boolean {
  const offset = text.length - k;
  for (let i = 0; i < k; i++) {
    if (text.charCodeAt(offset + i) !== stop.charCodeAt(i)) return false;
  }
  return true;
}

export function isEos(tokenId: number, eosIds: ReadonlySet<number>): boolean {
  return eosIds.has(tokenId);
}

export function reachedMaxTokens(generatedCount: number, maxNewTokens: number): boolean {
  return generatedCount >= maxNewTokens;
}
