/** Key layout of the key-value store: one record per profile, so an update touches one record. */
export const ACTIVE_KEY = 'active';
export const PROFILE_PREFIX = 'profile:';
export const QUARANTINE_PREFIX = 'quarantine:';

export const profileKey = (id: string): string => PROFILE_PREFIX + id;

export function profileIdOf(key: string): string | undefined {
  return key.startsWith(PROFILE_PREFIX) ? key.slice(PROFILE_PREFIX.length) : undefined;
}

export const quarantineKey = (key: string): string => QUARANTINE_PREFIX + key;
