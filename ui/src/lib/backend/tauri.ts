import { commands, type AppInfo } from '../bindings';
import { BackendError, toBackendError, type Backend, type CommandResult } from './backend';

/** Turn a generated command's result into its value, or throw a BackendError. */
export function unwrap<T>(result: CommandResult<T>): T {
  if (result.status === 'ok') return result.data;
  throw toBackendError(result.error);
}

/** Call a generated command; failures of any kind become BackendErrors. */
async function call<T>(command: () => Promise<CommandResult<T>>): Promise<T> {
  let result: CommandResult<T>;
  try {
    result = await command();
  } catch (thrown) {
    throw toBackendError(thrown);
  }
  return unwrap(result);
}

/** The real backend: the Rust core, reached through Tauri's IPC. */
export class TauriBackend implements Backend {
  readonly kind = 'tauri' as const;

  about(): Promise<AppInfo> {
    return call(() => commands.about());
  }
}

export { BackendError };
