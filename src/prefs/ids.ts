/** Ids of profiles and feedback entries: random, so two tabs (or an import) never pick the same. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  // randomUUID needs a secure context; getRandomValues does not.
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
