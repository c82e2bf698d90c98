import { describe, expect, it } from 'vitest';
import type { DiagnoseEvent, Diagnosis, PlannedCheck } from './bindings';
import { MOCK_SANDBOX } from './backend/mock-signin';
import * as mock from './backend/mock-diagnose';
import {
  EMPTY,
  EMPTY_FORM,
  STATUS,
  apply,
  blockedByText,
  copyables,
  formProblems,
  handOffToDiagnose,
  picture,
  progressText,
  requestFrom,
  summary,
  takeDiagnosePrefill,
  withPrefill,
  type LiveState,
} from './diagnose';

/** Runs the mock's diagnosis and returns every event and the final live state. */
async function diagnose(request = requestFrom({ ...EMPTY_FORM, mode: 'url', authorityUrl: MOCK_SANDBOX.authority })) {
  const events: DiagnoseEvent[] = [];
  const diagnosis = await mock.run({ request, onEvent: (e) => events.push(e), stepMs: 0, cancelled: () => false });
  const state = events.reduce<LiveState>(apply, EMPTY);
  return { events, diagnosis, state };
}

const unknownTenant = MOCK_SANDBOX.authority.replace(MOCK_SANDBOX.tenant_id, 'bbbbbbbb-0000-4000-8000-000000000404');

describe('status text and tone', () => {
  it('reads every state the core reports, problems in the danger tone', () => {
    expect(STATUS.timed_out).toMatchObject({ text: 'Timed out', tone: 'danger' });
    expect(STATUS.failed.tone).toBe('danger');
    expect(STATUS.blocked).toMatchObject({ text: 'Blocked', tone: 'muted' });
    expect(STATUS.skipped.tone).toBe('muted');
    expect(STATUS.warning.tone).toBe('warn');
    expect(STATUS.passed.tone).toBe('ok');
  });
});

describe('live state from events', () => {
  it('goes pending → running → finished per check and ends with the diagnosis', async () => {
    const plan: PlannedCheck[] = [
      { id: 'environment', kind: 'environment', subject: null, title: 'Proxy and CA settings', depends_on: [] },
      { id: 'dns.authority', kind: 'dns', subject: 'authority', title: 'Resolve host', depends_on: ['environment'] },
    ];
    let state = apply(EMPTY, { event: 'planned', checks: plan });
    expect(state.checks.map((c) => c.status)).toEqual(['pending', 'pending']);
    expect(progressText(state, true)).toBe('0 of 2 checks done');
    state = apply(state, { event: 'started', id: 'environment' });
    expect(state.checks[0].status).toBe('running');
    expect(progressText(state, true)).toBe('0 of 2 checks done; running: Proxy and CA settings');

    const { state: done } = await diagnose();
    expect(done.diagnosis?.overall).toBe('healthy');
    expect(done.checks.every((c) => c.result !== null)).toBe(true);
    expect(progressText(done, false)).toBe('Diagnosis finished: every check that ran passed.');
  });

  it('says which check blocked one that did not run', async () => {
    const { state } = await diagnose(requestFrom({ ...EMPTY_FORM, mode: 'url', authorityUrl: unknownTenant, clientId: MOCK_SANDBOX.apps[1].client_id }));
    const app = state.checks.find((c) => c.check.id === 'app_secret');
    expect(app?.status).toBe('blocked');
    expect(blockedByText(app!.result!, state.checks)).toBe(`Blocked by Tenant discovery at ${unknownTenant}`);
  });
});

describe('the picture of the chain', () => {
  it('draws DNS → TCP → HTTP → tenant as one straight column and greys what a failure blocked', async () => {
    const { state } = await diagnose(requestFrom({ ...EMPTY_FORM, mode: 'url', authorityUrl: unknownTenant, clientId: MOCK_SANDBOX.apps[1].client_id }));
    const pic = picture(state.checks);
    const node = (id: string) => pic.nodes.find((n) => n.id === id)!;
    const chain = ['environment', 'dns.authority', 'tcp.authority', 'http.authority', 'tenant'];
    expect(chain.map((id) => node(id).col)).toEqual([0, 0, 0, 0, 0]);
    expect(chain.map((id) => node(id).row)).toEqual([0, 1, 2, 3, 4]);
    expect(node('tenant').status).toBe('failed');
    for (const id of ['jwks', 'app_secret', 'redirect_uri']) {
      expect(node(id).row).toBe(5);
      expect(node(id).status).toBe('blocked');
    }
    // Loopback and browser depend on nothing: they share the last row.
    expect(node('loopback').row).toBe(pic.rows - 1);
    expect(node('browser').row).toBe(pic.rows - 1);
    expect(pic.edges.find((e) => e.from === 'tenant' && e.to === 'jwks')?.broken).toBe(true);
    expect(pic.edges.find((e) => e.from === 'dns.authority' && e.to === 'tcp.authority')?.broken).toBe(false);
    // No two boxes in the same place.
    expect(new Set(pic.nodes.map((n) => `${n.row}:${n.col}`)).size).toBe(pic.nodes.length);
  });
});

describe('the ranked summary', () => {
  it('puts the root cause first with its fix, AADSTS code and what it explains', async () => {
    const { diagnosis } = await diagnose(requestFrom({ ...EMPTY_FORM, mode: 'url', authorityUrl: unknownTenant, clientId: MOCK_SANDBOX.apps[1].client_id }));
    const [first, ...rest] = summary(diagnosis);
    expect(first).toMatchObject({ checkId: 'tenant', root: true, status: 'failed' });
    expect(first.finding?.aadsts).toBe(90002);
    expect(first.finding?.fix).toMatch(/Directory \(tenant\) ID/);
    expect(first.explains).toEqual(expect.arrayContaining(['Signing keys', 'App registration and client secret', 'Redirect URIs registered']));
    expect(rest.filter((r) => r.root)).toEqual([]);
  });

  it('lists warnings of checks that are not root causes after the root causes', () => {
    const d: Diagnosis = {
      request: requestFrom({ ...EMPTY_FORM, tenant: 'contoso.onmicrosoft.com' }),
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      started_at: '2026-11-23T18:30:27Z',
      duration_ms: 900,
      overall: 'problems',
      entrance_version: '0.1.0',
      results: [
        { id: 'environment', kind: 'environment', subject: null, title: 'Proxy and CA settings', status: 'passed', summary: 'Proxy in use', details: [], blocked_by: [], duration_ms: 1,
          findings: [{ code: 'proxy.in_use', severity: 'warning', message: 'HTTPS_PROXY is set', fix: 'Unset `HTTPS_PROXY` if it should not be used.', aadsts: null, links: [] }] },
        { id: 'tenant', kind: 'tenant', subject: null, title: 'Tenant discovery', status: 'failed', summary: 'Unknown', details: [], blocked_by: [], duration_ms: 1,
          findings: [{ code: 'tenant.unknown', severity: 'error', message: 'Not found', fix: 'Fix the tenant.', aadsts: 90002, links: [] }] },
      ],
      root_causes: [{ check_id: 'tenant', title: 'Tenant discovery', status: 'failed', finding: null, explains: [] }],
    };
    expect(summary(d).map((s) => [s.checkId, s.root])).toEqual([
      ['tenant', true],
      ['environment', false],
    ]);
  });

  it('offers each backticked value of a fix for copying, once', () => {
    expect(copyables('Register `http://localhost/login/azuread` under Web, then run `az ad app show --id X` and `http://localhost/login/azuread`.')).toEqual([
      'http://localhost/login/azuread',
      'az ad app show --id X',
    ]);
    expect(copyables('No code here, and a lone ` backtick.')).toEqual([]);
  });
});

describe('the form', () => {
  it('needs an authority; the client ID is optional but must be one when given', () => {
    expect(formProblems(EMPTY_FORM).authority).toMatch(/Directory \(tenant\) ID/);
    const ok = { ...EMPTY_FORM, tenant: 'contoso.onmicrosoft.com' };
    expect(formProblems(ok)).toEqual({});
    expect(formProblems({ ...ok, clientId: '3333' }).clientId).toMatch(/Incomplete/);
    expect(formProblems({ ...ok, target: 'grafana' }).baseUrl).toMatch(/public URL/);
    expect(formProblems({ ...ok, timeout: '0' }).timeout).toMatch(/1 to 120/);
    expect(formProblems({ ...ok, mode: 'url', authorityUrl: 'ftp://x' }).authority).toMatch(/https/);
  });

  it('sends the saved secret’s name, never a value, and the timeout as a number', () => {
    const request = requestFrom({ ...EMPTY_FORM, tenant: ' contoso.onmicrosoft.com ', clientId: 'abc', secretName: 'prod-grafana', timeout: '15' });
    expect(request).toMatchObject({ authority: null, tenant: 'contoso.onmicrosoft.com', cloud: 'global', secret_name: 'prod-grafana', timeout_secs: 15, target: null });
    expect(Object.keys(request)).not.toContain('client_secret');
  });

  it('takes a hand-off from another page once, and opens the Diagnose page', () => {
    const win = { location: { hash: '#/setup' } } as unknown as Window;
    handOffToDiagnose({ tenant: 'contoso.onmicrosoft.com', cloud: 'us_gov', clientId: 'id', secretName: 'prod-grafana', target: 'grafana', baseUrl: 'https://grafana.example.com' }, win);
    expect(win.location.hash).toBe('#/diagnose');
    const prefill = takeDiagnosePrefill();
    expect(takeDiagnosePrefill()).toBeNull();
    expect(withPrefill(EMPTY_FORM, prefill!)).toMatchObject({ mode: 'tenant', tenant: 'contoso.onmicrosoft.com', cloud: 'us_gov', clientId: 'id', secretName: 'prod-grafana', target: 'grafana', baseUrl: 'https://grafana.example.com' });
    expect(withPrefill(EMPTY_FORM, { authority: 'https://idp.example.com' })).toMatchObject({ mode: 'url', authorityUrl: 'https://idp.example.com' });
  });
});
