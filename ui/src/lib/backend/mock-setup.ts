/**
 * The mock backend's Setup part: the products, checks that imitate
 * `entrance_core::targets::checks`, steps and configuration shaped like the
 * core's (abridged: the real wording is in `crates/entrance-core/src/targets/`),
 * a scripted test sign-in with the product's verdict, and profiles in memory.
 */
import type {
  ConfigBlock,
  ConfigFormat,
  Field,
  FieldMessage,
  IpcError,
  LoginProgress,
  MessageLevel,
  Profile,
  ProfileList,
  SetupConfiguration,
  SetupPlan,
  SetupTarget,
  SetupTestResult,
  SignInRequest,
  Step,
  TargetInputs,
  Verdict,
} from '../bindings';
import { BackendError } from './backend';
import { MOCK_SANDBOX, scriptFor } from './mock-signin';
import type { SetupApi } from './setup-api';

const SEED = 'docs/products/grafana.md#what-it-needs-from-entra';

function info(name: string, display_name: string, summary: string, source: string): SetupTarget['info'] {
  return { name, display_name, summary, source };
}

const GRAFANA_FIELDS: Field[] = [
  { key: 'role_mapping', label: 'Map Grafana roles from', kind: { type: 'choice', options: ['app_roles', 'groups', 'app_roles_and_groups', 'none'] }, default: 'app_roles', help: 'App roles Viewer/Editor/Admin/GrafanaAdmin in `roles`; groups through org_mapping.', source: SEED },
  { key: 'allowed_groups', label: 'Allowed groups (object IDs)', kind: { type: 'group_ids' }, default: null, help: 'Only members of one of these groups may sign in; needs the groups claim.', source: SEED },
  { key: 'auto_assign_org_role', label: 'Role for users without one ([users] auto_assign_org_role)', kind: { type: 'choice', options: ['Viewer', 'Editor', 'Admin'] }, default: 'Viewer', help: "Grafana's default organization role.", source: SEED },
  { key: 'role_attribute_strict', label: 'Deny users without a role', kind: { type: 'flag' }, default: 'false', help: 'Without it, users without a role get auto_assign_org_role.', source: SEED },
];

export const MOCK_TARGETS: SetupTarget[] = [
  { info: info('keep', 'Keep', 'Keep (AIOps alert management) with Entra ID sign-in', 'docs/products/keep.md#what-it-needs-from-entra'), fields: [{ key: 'admin_group_id', label: 'Admin group (object ID)', kind: { type: 'group_id' }, default: null, help: 'Members become Keep admins.', source: 'docs/products/keep.md#what-it-needs-from-entra' }], default_client_type: 'confidential' },
  { info: info('authentik', 'authentik', 'authentik federating to Entra ID as an OAuth source', 'docs/products/authentik.md#what-it-needs-from-entra'), fields: [], default_client_type: 'confidential' },
  { info: info('grafana', 'Grafana', 'Grafana sign-in with Entra ID (auth.azuread), roles from app roles or groups', SEED), fields: GRAFANA_FIELDS, default_client_type: 'confidential' },
  { info: info('camunda', 'Camunda', 'Camunda 8 (Operate, Tasklist, Identity) with Entra ID', 'docs/products/camunda.md#what-it-needs-from-entra'), fields: [], default_client_type: 'confidential' },
  { info: info('openmetadata', 'OpenMetadata', 'OpenMetadata single sign-on with Entra ID (SPA)', 'docs/products/openmetadata.md#what-it-needs-from-entra'), fields: [], default_client_type: 'public' },
  { info: info('generic-oidc', 'Any OpenID Connect app', 'A product that speaks OpenID Connect', 'docs/entra.md#token-versions-and-issuers'), fields: [], default_client_type: 'confidential' },
];

const CALLBACK: Record<string, string> = {
  keep: '/api/auth/callback/microsoft-entra-id',
  authentik: '/source/oauth/callback/entra-id/',
  grafana: '/login/azuread',
  camunda: '/auth/login-callback',
  openmetadata: '/callback',
  'generic-oidc': '/oauth2/callback',
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function msg(field: string, level: MessageLevel, code: string, message: string, fix: string | null = null): FieldMessage {
  return { field, level, code, message, fix };
}

function notFound(name: string): BackendError {
  return new BackendError('input.invalid', `profile: no profile named \`${name}\` is saved`, 'Pick one of the saved profiles, or save this setup as a new one.');
}

/** Imitates the core's checks of what the admin types. */
export function mockCheck(target: string, inputs: TargetInputs): FieldMessage[] {
  const out: FieldMessage[] = [];
  const base = inputs.base_url.trim();
  if (base === '') out.push(msg('base_url', 'error', 'url.empty', 'The URL is empty.', "Give the product's public URL, e.g. https://grafana.example.com"));
  else if (!/^[a-z]+:\/\/[^/]+/i.test(base)) out.push(msg('base_url', 'error', 'url.invalid', `\`${base}\` is not an absolute URL.`));
  else if (base.startsWith('http://') && !/^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/.test(base))
    out.push(msg('base_url', 'error', 'url.http', 'Entra accepts http redirect URIs only for localhost (docs/entra.md#redirect-uris).', 'Use https, or http://localhost for a local trial.'));
  else if (base.endsWith('/'))
    out.push(msg('base_url', 'info', 'url.trailing_slash', 'The trailing slash is dropped; the redirect URI and root_url are built without it.', "Use the same form in the product's root_url."));
  const tenant = inputs.tenant?.trim() ?? '';
  if (tenant !== '' && !GUID.test(tenant)) {
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenant)) out.push(msg('tenant', 'info', 'tenant.domain', 'A domain works in URLs; tokens carry the tenant ID (`tid`), so verdicts compare better with the GUID.'));
    else out.push(msg('tenant', 'error', 'tenant.invalid', 'Neither a Directory (tenant) ID (a GUID) nor a domain name.', 'Copy the Directory (tenant) ID from App registration → Overview.'));
  }
  const client = inputs.client_id?.trim() ?? '';
  if (client !== '' && !GUID.test(client)) {
    if (client.includes('~')) out.push(msg('client_id', 'error', 'client_id.secret', 'This looks like a client secret, not the Application (client) ID.', 'Copy the Application (client) ID from App registration → Overview.'));
    else out.push(msg('client_id', 'error', 'client_id.not_guid', 'The Application (client) ID is a GUID (8-4-4-4-12 hex digits).', 'Copy the Application (client) ID from App registration → Overview.'));
  }
  const t = MOCK_TARGETS.find((x) => x.info.name === target);
  for (const f of t?.fields ?? []) {
    const value = inputs.settings?.[f.key]?.trim() ?? '';
    if (value === '') continue;
    if (f.kind.type === 'group_ids' || f.kind.type === 'group_id') {
      const parts = f.kind.type === 'group_id' ? [value] : value.split(/[,;\n]+/).map((p) => p.trim()).filter(Boolean);
      for (const p of parts) {
        if (GUID.test(p)) continue;
        if (/\s/.test(p) || /[a-z]{4,}/i.test(p))
          out.push(msg(f.key, 'error', 'group.display_name', `\`${p}\` looks like a group's display name; tokens carry group object IDs.`, 'Copy the Object ID from Groups → the group → Overview.'));
        else out.push(msg(f.key, 'error', 'group.not_guid', `\`${p}\` is not a group object ID (a GUID).`));
      }
    }
    if (f.kind.type === 'choice' && !f.kind.options.includes(value))
      out.push(msg(f.key, 'error', 'grafana.role.invalid', `\`${value}\` is not one of ${f.kind.options.join(', ')}.`, 'Grafana role names are case-sensitive: Viewer, Editor, Admin.'));
  }
  return out;
}

function step(kind: Step['kind'], title: string, portal_path: string, actions: string[], link: string | null, commands: string[]): Step {
  return { kind, title, portal_path, actions, link, commands, source: 'docs/entra.md#portal-deep-links (mock)' };
}

function portalLink(inputs: TargetInputs, blade: string): string {
  const host = { global: 'portal.azure.com', us_gov: 'portal.azure.us', china: 'portal.azure.cn' }[inputs.cloud ?? 'global'];
  const at = inputs.tenant?.trim() ? `#@${inputs.tenant.trim()}/view/` : '#view/';
  const app = inputs.client_id?.trim();
  return app
    ? `https://${host}/${at}Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/${blade}/appId/${app}`
    : `https://${host}/${at}Microsoft_AAD_RegisteredApps/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false`;
}

/** Steps shaped like `targets::steps` (abridged). */
export function mockPlan(target: string, inputs: TargetInputs): SetupPlan {
  const t = MOCK_TARGETS.find((x) => x.info.name === target);
  if (!t) throw new BackendError('input.invalid', `target: \`${target}\` is not a target Entrance knows`, `Use one of: ${MOCK_TARGETS.map((x) => x.info.name).join(', ')}.`);
  const base = inputs.base_url.trim().replace(/\/+$/, '') || '<base URL>';
  const path = CALLBACK[target] ?? '/callback';
  const redirect = `${base}${path}`;
  const app = inputs.client_id?.trim() || '<Application (client) ID>';
  const publicClient = (inputs.client_type ?? t.default_client_type) === 'public';
  const platform = publicClient ? 'spa' : 'web';
  const name = t.info.display_name;
  const steps: Step[] = [
    step('register', `Register the application "${name}"`, 'Microsoft Entra admin center → App registrations → New registration',
      [`Name: ${name}`, 'Supported account types: Accounts in this organizational directory only (Single tenant)', 'Register, then copy the Application (client) ID and the Directory (tenant) ID from Overview.'],
      portalLink(inputs, 'Overview'), [`az ad app create --display-name "${name}" --sign-in-audience AzureADMyOrg`]),
    step('redirect_uris', `Add the redirect URI under ${publicClient ? 'Single-page application' : 'Web'}`, `App registrations → ${name} → Authentication`,
      [`Add a platform → ${publicClient ? 'Single-page application' : 'Web'}`, `Redirect URI: ${redirect}`, 'Configure.'],
      portalLink(inputs, 'Authentication'), publicClient
        ? [`az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications(appId='${app}')" --body '{"spa":{"redirectUris":["${redirect}"]}}'`]
        : [`az ad app update --id ${app} --web-redirect-uris "${redirect}"`]),
  ];
  if (!publicClient)
    steps.push(step('client_secret', 'Create a client secret and copy its Value', `App registrations → ${name} → Certificates & secrets`,
      ['New client secret → Add.', 'Click Add, then copy the **Value** column at once (it is shown only once) — not the Secret ID.'],
      portalLink(inputs, 'Credentials'), [`az ad app credential reset --id ${app} --append --display-name "${name}"`]));
  if (target === 'grafana') {
    steps.push(
      step('app_roles', 'Create the app roles Viewer, Editor, Admin', `App registrations → ${name} → App roles`,
        ['Create app role → Allowed member types: Users/Groups → Value: Viewer (then Editor, Admin).'], portalLink(inputs, 'AppRoles'), []),
      step('groups_claim', 'Add the groups claim', `App registrations → ${name} → Token configuration`,
        ['Add groups claim → Security groups → ID token: Group ID.'], portalLink(inputs, 'TokenConfiguration'), []),
      step('api_permissions', 'Add Microsoft Graph GroupMember.Read.All and grant admin consent', `App registrations → ${name} → API permissions`,
        ['Add a permission → Microsoft Graph → Delegated → GroupMember.Read.All.', 'Grant admin consent for the tenant.'], portalLink(inputs, 'CallAnAPI'), []),
    );
  }
  steps.push(step('assign_users', 'Assign users or groups', `Enterprise applications → ${name} → Users and groups`,
    ['Add user/group → pick who may sign in (and their app role).'], null, []));
  const scopes = target === 'grafana' ? ['openid', 'email', 'profile'] : ['openid', 'profile', 'email'];
  return {
    requirements: {
      display_name: name,
      audience: inputs.audience ?? 'single_tenant',
      redirects: [{ uri: redirect, platform, note: null, source: SEED }],
      secret: !publicClient,
      groups_claim: null,
      app_roles: [],
      exposed_scope: null,
      api_permissions: [],
      admin_consent: target === 'grafana',
      optional_claims: [],
      access_token_version: null,
      assign_users: true,
      implicit_id_token: false,
      notes: [],
    },
    steps,
    test_redirect: { uri: `http://localhost${path}`, platform, client_type: publicClient ? 'public' : 'confidential', scopes },
  };
}

function render(block: ConfigBlock, format: ConfigFormat): string {
  const lines: string[] = [];
  if (format === 'ini') {
    lines.push(`; ${block.title}`);
    if (block.section) lines.push(`[${block.section}]`);
    for (const e of block.entries) lines.push(`${e.key} = ${e.value}`);
  } else if (format === 'env') {
    lines.push(`# ${block.title}`);
    for (const e of block.entries) lines.push(`${e.key}=${/^[\w\-./:=@,+~]*$/.test(e.value) ? e.value : JSON.stringify(e.value)}`);
  } else if (format === 'yaml') {
    lines.push(`# ${block.title}`);
    for (const e of block.entries) lines.push(`${e.key}: ${JSON.stringify(e.value)}`);
  } else {
    lines.push(block.title);
    for (const e of block.entries) lines.push(`  ${e.key}: ${e.value}`);
  }
  return lines.join('\n') + '\n';
}

/** The configuration shaped like `Target::configuration` (abridged). */
export function mockConfiguration(target: string, inputs: TargetInputs, secretValue: string | null): SetupConfiguration {
  const base = inputs.base_url.trim().replace(/\/+$/, '') || '<base URL>';
  const tenant = inputs.tenant?.trim() || '<Directory (tenant) ID>';
  const client = inputs.client_id?.trim() || '<Application (client) ID>';
  const secret = secretValue ?? `<client secret Value from the keychain: ${inputs.secret_name?.trim() || target}>`;
  const authority = `https://login.microsoftonline.com/${tenant}`;
  const e = (key: string, value: string, isSecret = false) => ({ key, value, secret: isSecret, source: SEED });
  let blocks: ConfigBlock[];
  if (target === 'grafana') {
    const entries = [
      e('enabled', 'true'),
      e('name', 'Microsoft Entra ID'),
      e('allow_sign_up', 'true'),
      e('client_id', client),
      e('client_secret', secret, true),
      e('scopes', 'openid email profile'),
      e('auth_url', `${authority}/oauth2/v2.0/authorize`),
      e('token_url', `${authority}/oauth2/v2.0/token`),
      e('allowed_organizations', tenant),
      e('role_attribute_strict', inputs.settings?.role_attribute_strict ?? 'false'),
    ];
    const env = entries.map((x) => ({ ...x, key: `GF_AUTH_AZUREAD_${x.key.toUpperCase()}` }));
    blocks = [
      { title: 'grafana.ini [auth.azuread]', format: 'ini', section: 'auth.azuread', entries, equivalent: false },
      { title: 'Grafana environment', format: 'env', section: null, entries: env, equivalent: true },
      { title: 'grafana.ini [server]', format: 'ini', section: 'server', entries: [e('root_url', base)], equivalent: false },
      { title: 'Grafana environment [server]', format: 'env', section: null, entries: [e('GF_SERVER_ROOT_URL', base)], equivalent: true },
    ];
  } else {
    blocks = [
      { title: `${target} environment`, format: 'env', section: null, equivalent: false, entries: [
        e('OIDC_ISSUER', `${authority}/v2.0`), e('OIDC_CLIENT_ID', client), e('OIDC_CLIENT_SECRET', secret, true), e('OIDC_REDIRECT_URI', `${base}${CALLBACK[target] ?? '/callback'}`),
      ] },
    ];
  }
  const formats: ConfigFormat[] = [];
  for (const b of blocks) if (!formats.includes(b.format)) formats.push(b.format);
  if (formats.includes('env') && !formats.includes('yaml')) formats.push('yaml');
  const rendered = formats.map((format) => {
    const texts: string[] = [];
    blocks.forEach((b, i) => {
      if (b.equivalent) return;
      const twin = blocks.slice(i + 1).find((o) => o.equivalent && (o.format === format || (format === 'yaml' && o.format === 'env')));
      if (twin && format !== b.format) texts.push(render(twin, format));
      else if (b.format === 'ini' || format === 'ini') texts.push(render(b, b.format));
      else texts.push(render(b, format));
    });
    return { format, text: texts.join('\n') };
  });
  return { configuration: { blocks, notes: [] }, rendered, revealed: secretValue !== null };
}

function mockVerdict(target: string, ok: boolean): Verdict {
  const display = MOCK_TARGETS.find((t) => t.info.name === target)?.info.display_name ?? target;
  if (ok)
    return {
      target,
      product: display,
      outcome: 'works',
      summary: `${display} signs the user in: Alice gets the role Editor from the app role.`,
      reason: 'Alice gets the role Editor from the app role.',
      checks: [
        { code: `${target}.token.version`, status: 'pass', message: 'v2.0 ID token.', fix: null, source: 'docs/entra.md#token-versions-and-issuers' },
        { code: `${target}.aud`, status: 'pass', message: `${display} compares aud with client_id: accepted.`, fix: null, source: SEED },
        { code: `${target}.allowed_organizations`, status: 'pass', message: `Tenant ${MOCK_SANDBOX.tenant_id} is allowed.`, fix: null, source: SEED },
        { code: `${target}.role`, status: 'info', message: 'Alice gets the role Editor from the app role.', fix: null, source: SEED },
      ],
    };
  return {
    target,
    product: display,
    outcome: 'fails',
    summary: `${display} refuses the sign-in: Entra answered AADSTS9002327: the redirect URI is registered as Single-page application but the product redeems the code server-side.`,
    reason: 'Entra answered AADSTS9002327: the redirect URI is registered as Single-page application but the product redeems the code server-side.',
    checks: [
      {
        code: 'entra.aadsts9002327',
        status: 'fail',
        message: 'Entra answered AADSTS9002327: the redirect URI is registered as Single-page application but the product redeems the code server-side.',
        fix: 'Move the redirect URI from Single-page application to Web.',
        source: 'docs/entra.md#errors',
      },
    ],
  };
}

export interface MockSetupOptions {
  /** Profiles saved before the page opened. */
  profiles?: Profile[];
  /** The profile to reopen. */
  last?: string | null;
  /** Make the profiles file unreadable, as a corrupt `profiles.json` is. */
  corrupt?: boolean;
}

/** The Setup part of the mock backend. */
export class MockSetup implements SetupApi {
  readonly #profiles = new Map<string, Profile>();
  #last: string | null;
  #corrupt: boolean;
  /** Portal links "opened", in order, for tests. */
  readonly opened: string[] = [];
  /** Reveal requests (secret names), in order, for tests. */
  readonly revealed: string[] = [];

  constructor(
    options: MockSetupOptions,
    private readonly host: {
      wait(): Promise<void>;
      secretValue(name: string): string | null;
      sandboxRunning(): boolean;
      loginStart(request: SignInRequest, onProgress: (e: LoginProgress) => void): Promise<unknown>;
    },
  ) {
    for (const p of options.profiles ?? []) this.#profiles.set(p.name.toLowerCase(), structuredClone(p));
    this.#last = options.last ?? null;
    this.#corrupt = options.corrupt ?? false;
  }

  #checkFile(): void {
    if (this.#corrupt)
      throw new BackendError(
        'profiles.corrupt',
        'the saved setup profiles in ~/.config/entrance/profiles.json cannot be read: expected value at line 3 column 1',
        'Entrance left ~/.config/entrance/profiles.json untouched and kept a copy in ~/.config/entrance/profiles.json.corrupt. Repair the file, or move it aside (Setup → "Start over") to begin with no profiles.',
      );
  }

  async targets(): Promise<SetupTarget[]> {
    await this.host.wait();
    return structuredClone(MOCK_TARGETS);
  }
  async check(target: string, inputs: TargetInputs): Promise<FieldMessage[]> {
    await this.host.wait();
    return mockCheck(target, inputs);
  }
  async plan(target: string, inputs: TargetInputs): Promise<SetupPlan> {
    await this.host.wait();
    return mockPlan(target, inputs);
  }
  async configuration(target: string, inputs: TargetInputs, reveal: boolean): Promise<SetupConfiguration> {
    await this.host.wait();
    let value: string | null = null;
    if (reveal) {
      const name = inputs.secret_name?.trim() || target;
      value = this.host.secretValue(name);
      if (value === null) throw new BackendError('secret.not_found', `no secret named ${name} is saved`, `Save it first: \`entrance secret set ${name}\` (the value is read from standard input), or pick it in Entrance's secret field.`);
      this.revealed.push(name);
    }
    return mockConfiguration(target, inputs, value);
  }
  async testSignIn(target: string, inputs: TargetInputs, authority: string | null, onProgress: (event: LoginProgress) => void): Promise<SetupTestResult> {
    const plan = mockPlan(target, inputs);
    const request: SignInRequest = {
      authority: authority ? { kind: 'url', url: authority } : { kind: 'entra', cloud: inputs.cloud ?? 'global', tenant: inputs.tenant ?? '' },
      client_id: inputs.client_id ?? '',
      client: plan.test_redirect.client_type === 'public' ? { kind: 'public' } : { kind: 'confidential', secret_name: inputs.secret_name ?? target, method: 'post' },
      scopes: plan.test_redirect.scopes.filter((s) => s !== 'openid'),
      port: null,
      redirect_uri: plan.test_redirect.uri,
    };
    const app = MOCK_SANDBOX.apps.find((a) => a.client_id === request.client_id);
    try {
      const summary = (await this.host.loginStart(request, onProgress)) as SetupTestResult['summary'];
      return { summary, error: null, verdict: mockVerdict(target, true) };
    } catch (e) {
      if (app && !app.correct && (e as IpcError).code === 'login.rejected') {
        const { code, message, fix } = e as IpcError;
        return { summary: null, error: { code, message, fix: fix ?? null }, verdict: mockVerdict(target, false) };
      }
      throw e;
    }
  }
  async openPortal(url: string): Promise<void> {
    await this.host.wait();
    if (!/^https:\/\/portal\.azure\.(com|us|cn)\//.test(url))
      throw new BackendError('input.invalid', 'link: only Azure portal links are opened', 'Copy the link and open it yourself.');
    this.opened.push(url);
  }
  #list(): ProfileList {
    const profiles = [...this.#profiles.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
    const last = profiles.find((p) => p.name.toLowerCase() === this.#last?.toLowerCase())?.name ?? null;
    return structuredClone({ last, profiles });
  }
  async profiles(): Promise<ProfileList> {
    await this.host.wait();
    this.#checkFile();
    return this.#list();
  }
  async saveProfile(profile: Profile): Promise<Profile> {
    await this.host.wait();
    this.#checkFile();
    const name = profile.name.trim();
    if (name === '') throw new BackendError('input.invalid', 'profile name: is empty', 'Name the profile after the product and the environment, e.g. "prod Grafana".');
    const saved = { ...structuredClone(profile), name, updated_at: Date.now() / 1000 };
    this.#profiles.set(name.toLowerCase(), saved);
    this.#last = name;
    return structuredClone(saved);
  }
  async renameProfile(from: string, to: string): Promise<Profile> {
    await this.host.wait();
    this.#checkFile();
    const p = this.#profiles.get(from.toLowerCase());
    if (!p) throw notFound(from);
    const name = to.trim();
    if (name === '') throw new BackendError('input.invalid', 'profile name: is empty', 'Name the profile after the product and the environment, e.g. "prod Grafana".');
    if (name.toLowerCase() !== from.toLowerCase() && this.#profiles.has(name.toLowerCase()))
      throw new BackendError('input.invalid', `profile name: a profile named \`${name}\` already exists`, 'Choose another name, or delete the other profile first.');
    this.#profiles.delete(from.toLowerCase());
    const renamed = { ...p, name };
    this.#profiles.set(name.toLowerCase(), renamed);
    if (this.#last?.toLowerCase() === from.toLowerCase()) this.#last = name;
    return structuredClone(renamed);
  }
  async deleteProfile(name: string): Promise<void> {
    await this.host.wait();
    this.#checkFile();
    if (!this.#profiles.delete(name.toLowerCase())) throw notFound(name);
    if (this.#last?.toLowerCase() === name.toLowerCase()) this.#last = null;
  }
  async selectProfile(name: string | null): Promise<void> {
    await this.host.wait();
    this.#checkFile();
    if (name !== null && !this.#profiles.has(name.toLowerCase())) throw notFound(name);
    this.#last = name;
  }
  async startOver(): Promise<ProfileList> {
    await this.host.wait();
    if (this.#corrupt) {
      this.#corrupt = false;
      this.#profiles.clear();
      this.#last = null;
    }
    return this.#list();
  }
}
