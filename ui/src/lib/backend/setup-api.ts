/**
 * What the Setup page asks of the core (`src-tauri/src/commands/setup.rs`):
 * the products, input checks, portal steps, configuration, the test
 * sign-in with the product's verdict, and saved profiles. Reached as
 * `backend.setup`.
 */
import type {
  FieldMessage,
  LoginProgress,
  Profile,
  ProfileList,
  SetupConfiguration,
  SetupPlan,
  SetupTarget,
  SetupTestResult,
  TargetInputs,
} from '../bindings';

export type { FieldMessage, Profile, ProfileList, SetupConfiguration, SetupPlan, SetupTarget, SetupTestResult, TargetInputs };

export interface SetupApi {
  /** Every product, in the order the page lists them, with its own inputs. */
  targets(): Promise<SetupTarget[]>;
  /** What looks wrong with the inputs as typed; [] when nothing does. */
  check(target: string, inputs: TargetInputs): Promise<FieldMessage[]>;
  /** The registration, the ordered portal steps and the test sign-in's redirect URI. */
  plan(target: string, inputs: TargetInputs): Promise<SetupPlan>;
  /**
   * The product's configuration in each format it offers. The client secret
   * is a placeholder unless `reveal` (an explicit Reveal click): then the
   * core reads the Value by `inputs.secret_name`.
   */
  configuration(target: string, inputs: TargetInputs, reveal: boolean): Promise<SetupConfiguration>;
  /**
   * Signs in as the product does (its scopes, its callback path on
   * localhost) and answers the product's verdict — also when Entra refuses.
   * `authority` overrides the tenant's (the sandbox tenant).
   */
  testSignIn(
    target: string,
    inputs: TargetInputs,
    authority: string | null,
    onProgress: (event: LoginProgress) => void,
  ): Promise<SetupTestResult>;
  /** Opens an Azure portal link in the browser (other links are refused). */
  openPortal(url: string): Promise<void>;

  /** Saved profiles and the one to reopen; `profiles.corrupt` when the file is unreadable. */
  profiles(): Promise<ProfileList>;
  /** Creates or replaces a profile and makes it the one to reopen. */
  saveProfile(profile: Profile): Promise<Profile>;
  renameProfile(from: string, to: string): Promise<Profile>;
  deleteProfile(name: string): Promise<void>;
  /** Remembers which profile reopens after a restart (null: none). */
  selectProfile(name: string | null): Promise<void>;
  /** After `profiles.corrupt`: moves the unreadable file aside (a copy stays) and starts empty. */
  startOver(): Promise<ProfileList>;
}
