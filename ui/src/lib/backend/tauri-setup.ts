import { Channel } from '@tauri-apps/api/core';
import { commands, type LoginProgress } from '../bindings';
import { toBackendError, type CommandResult } from './backend';
import type { Profile, ProfileList, SetupApi, SetupConfiguration, SetupPlan, SetupTarget, SetupTestResult, TargetInputs, FieldMessage } from './setup-api';

async function call<T>(command: () => Promise<CommandResult<T>>): Promise<T> {
  let result: CommandResult<T>;
  try {
    result = await command();
  } catch (thrown) {
    throw toBackendError(thrown);
  }
  if (result.status === 'ok') return result.data;
  throw toBackendError(result.error);
}

/** The Setup page's commands over Tauri's IPC. */
export class TauriSetup implements SetupApi {
  async targets(): Promise<SetupTarget[]> {
    try {
      return await commands.setupTargets();
    } catch (thrown) {
      throw toBackendError(thrown);
    }
  }
  check(target: string, inputs: TargetInputs): Promise<FieldMessage[]> {
    return call(() => commands.setupCheck(target, inputs));
  }
  plan(target: string, inputs: TargetInputs): Promise<SetupPlan> {
    return call(() => commands.setupPlan(target, inputs));
  }
  configuration(target: string, inputs: TargetInputs, reveal: boolean): Promise<SetupConfiguration> {
    return call(() => commands.setupConfiguration(target, inputs, reveal));
  }
  testSignIn(target: string, inputs: TargetInputs, authority: string | null, onProgress: (event: LoginProgress) => void): Promise<SetupTestResult> {
    const channel = new Channel<LoginProgress>();
    channel.onmessage = onProgress;
    return call(() => commands.setupTestSignIn(target, inputs, authority, channel));
  }
  async openPortal(url: string): Promise<void> {
    await call(() => commands.setupOpenPortal(url));
  }
  profiles(): Promise<ProfileList> {
    return call(() => commands.setupProfiles());
  }
  saveProfile(profile: Profile): Promise<Profile> {
    return call(() => commands.setupProfileSave(profile));
  }
  renameProfile(from: string, to: string): Promise<Profile> {
    return call(() => commands.setupProfileRename(from, to));
  }
  async deleteProfile(name: string): Promise<void> {
    await call(() => commands.setupProfileDelete(name));
  }
  async selectProfile(name: string | null): Promise<void> {
    await call(() => commands.setupProfileSelect(name));
  }
  startOver(): Promise<ProfileList> {
    return call(() => commands.setupProfilesStartOver());
  }
}
