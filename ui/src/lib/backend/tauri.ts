import { commands, type AppInfo, type SecretStatus, type SecretWarning, type SetOutcome } from '../bindings';
import { BackendError, toBackendError, type Backend, type CommandResult, type SecretSetRequest } from './backend';
import type { GroupQuery, GroupResolution, InspectRequest, Inspection, VerdictRequest } from './backend';
import type { Verdict } from '../bindings';
import type { LoginProgress, LoginSummary, RedirectAdvice, RedirectAdviceRequest, SandboxInfo, SignInRequest } from './backend';
import type { DiagnoseEvent, DiagnoseRequest, Diagnosis, FoundCode, ReportFormat } from './backend';
import { Channel } from '@tauri-apps/api/core';
import { TauriSetup } from './tauri-setup';

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
  readonly setup = new TauriSetup();

  about(): Promise<AppInfo> {
    return call(() => commands.about());
  }

  secretList(): Promise<SecretStatus[]> {
    return call(() => commands.secretList());
  }

  async secretStatus(name: string): Promise<SecretStatus | null> {
    try {
      return await call(() => commands.secretStatus(name));
    } catch (error) {
      if (error instanceof BackendError && error.code === 'secret.not_found') return null;
      throw error;
    }
  }

  secretCheck(value: string): Promise<SecretWarning[]> {
    return call(() => commands.secretCheck(value));
  }

  secretSet(r: SecretSetRequest): Promise<SetOutcome> {
    return call(() => commands.secretSet(r.name, r.value, r.expiresOn, r.sessionOnly, r.acceptWarnings));
  }

  async secretDelete(name: string): Promise<void> {
    await call(() => commands.secretDelete(name));
  }

  secretSetExpiry(name: string, expiresOn: string | null): Promise<SecretStatus> {
    return call(() => commands.secretSetExpiry(name, expiresOn));
  }

  /** Only for an explicit Reveal or Copy click (see Backend.secretReveal). */
  secretReveal(name: string): Promise<string> {
    return call(() => commands.secretReveal(name));
  }

  inspectText(r: InspectRequest): Promise<Inspection> {
    return call(() => commands.inspectText(r.text, r.clientId, r.tenant, r.verify));
  }

  inspectVerdicts(r: VerdictRequest): Promise<Verdict[]> {
    return call(() => commands.inspectVerdicts(r.text, r.clientId, r.tenant, r.target, r.profile));
  }

  resolveGroups(query: GroupQuery, graphToken: string): Promise<GroupResolution> {
    return call(() => commands.resolveGroups(query, graphToken));
  }

  sandboxStart(): Promise<SandboxInfo> {
    return call(() => commands.sandboxStart());
  }

  async sandboxStop(): Promise<void> {
    await call(() => commands.sandboxStop());
  }

  sandboxUseSecret(app: string): Promise<string> {
    return call(() => commands.sandboxUseSecret(app));
  }

  loginStart(request: SignInRequest, onProgress: (event: LoginProgress) => void): Promise<LoginSummary> {
    const channel = new Channel<LoginProgress>();
    channel.onmessage = onProgress;
    return call(() => commands.loginStart(request, channel));
  }

  async loginCancel(): Promise<void> {
    try {
      await commands.loginCancel();
    } catch (thrown) {
      throw toBackendError(thrown);
    }
  }

  loginRedirectAdvice(r: RedirectAdviceRequest): Promise<RedirectAdvice> {
    return call(() => commands.loginRedirectAdvice(r.authority, r.client, r.port, r.redirectUri));
  }

  diagnoseStart(request: DiagnoseRequest, graphToken: string | null, onEvent: (event: DiagnoseEvent) => void): Promise<Diagnosis> {
    const channel = new Channel<DiagnoseEvent>();
    channel.onmessage = onEvent;
    return call(() => commands.diagnoseStart(request, graphToken, channel));
  }

  async diagnoseCancel(): Promise<void> {
    try {
      await commands.diagnoseCancel();
    } catch (thrown) {
      throw toBackendError(thrown);
    }
  }

  diagnoseExport(format: ReportFormat): Promise<string> {
    return call(() => commands.diagnoseExport(format));
  }

  diagnoseSave(format: ReportFormat): Promise<string> {
    return call(() => commands.diagnoseSave(format));
  }

  async explainText(text: string): Promise<FoundCode[]> {
    try {
      return await commands.explainText(text);
    } catch (thrown) {
      throw toBackendError(thrown);
    }
  }
}

export { BackendError };
