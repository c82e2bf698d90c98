import { DEFAULT_AREA, areaFromHash, hashFor, type AreaId } from './areas';

/**
 * Hash routing (`#/setup`, `#/inspect`, …). Hashes work the same in the
 * Tauri window and in a plain browser, and need no server support.
 */
export class HashRouter {
  current = $state<AreaId>(DEFAULT_AREA);

  #win: Window;

  constructor(win: Window = window) {
    this.#win = win;
    this.current = areaFromHash(win.location.hash) ?? DEFAULT_AREA;
  }

  /** Listen for hash changes; returns the function that stops listening. */
  start(): () => void {
    const sync = () => {
      const id = areaFromHash(this.#win.location.hash);
      if (id) {
        this.current = id;
      } else {
        // Unknown or empty hash: show the default without adding history.
        this.current = DEFAULT_AREA;
        this.#win.history.replaceState(this.#win.history.state, '', hashFor(DEFAULT_AREA));
      }
    };
    sync();
    this.#win.addEventListener('hashchange', sync);
    return () => this.#win.removeEventListener('hashchange', sync);
  }

  go(id: AreaId): void {
    this.current = id;
    if (this.#win.location.hash !== hashFor(id)) this.#win.location.hash = hashFor(id);
  }
}
