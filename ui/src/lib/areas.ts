export type AreaId = 'setup' | 'inspect' | 'diagnose' | 'signin' | 'secrets' | 'about';

export interface Area {
  id: AreaId;
  name: string;
  subtitle: string;
  /** Digit for the Alt+<digit> shortcut. */
  shortcut: string;
}

/** The work areas, in sidebar order. */
export const workAreas: readonly Area[] = [
  { id: 'setup', name: 'Setup', subtitle: 'Register an app, generate config', shortcut: '1' },
  { id: 'inspect', name: 'Inspect', subtitle: 'Decode and explain tokens', shortcut: '2' },
  { id: 'diagnose', name: 'Diagnose', subtitle: 'Find why sign-in fails', shortcut: '3' },
  { id: 'signin', name: 'Sign in', subtitle: 'Test a real sign-in', shortcut: '4' },
];

export const secretsArea: Area = {
  id: 'secrets',
  name: 'Secrets',
  subtitle: 'Client secrets in the OS keychain',
  shortcut: '5',
};

export const aboutArea: Area = {
  id: 'about',
  name: 'About',
  subtitle: 'Versions and build details',
  shortcut: '6',
};

/** Shown at the bottom of the sidebar: the app's own housekeeping. */
export const bottomAreas: readonly Area[] = [secretsArea, aboutArea];

export const areas: readonly Area[] = [...workAreas, ...bottomAreas];

export const DEFAULT_AREA: AreaId = 'setup';

export function areaById(id: AreaId): Area {
  const area = areas.find((a) => a.id === id);
  if (!area) throw new Error(`unknown area ${id}`);
  return area;
}

export function hashFor(id: AreaId): string {
  return `#/${id}`;
}

/** `#/inspect` → 'inspect'; anything unrecognised → null. */
export function areaFromHash(hash: string): AreaId | null {
  const match = /^#\/?([a-z]+)\/?$/.exec(hash);
  const id = match?.[1];
  return areas.find((a) => a.id === id)?.id ?? null;
}

/**
 * The area for a global shortcut (Alt+1 … Alt+6), or null. Uses the
 * physical key code so it also works where Alt+digit types a character
 * (macOS Option, AltGr layouts).
 */
export function areaForShortcut(event: Pick<KeyboardEvent, 'altKey' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'code'>): AreaId | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code)?.[1];
  return areas.find((a) => a.shortcut === digit)?.id ?? null;
}
