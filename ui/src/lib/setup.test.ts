import { describe, expect, it } from 'vitest';
import type { Step, Verdict } from './bindings';
import { MOCK_SANDBOX } from './backend/mock-signin';
import {
  blankInputs,
  copyables,
  diagnosePrefill,
  freshProfileName,
  keyedSteps,
  messagesFor,
  progress,
  sandboxInputs,
  statesAfterVerdict,
  stepKindForCheck,
  toggled,
} from './setup';

const step = (kind: Step['kind'], title: string = kind): Step => ({ kind, title, portal_path: '', actions: [], link: null, commands: [], source: '' });

const failing: Verdict = {
  target: 'grafana',
  product: 'Grafana',
  outcome: 'fails',
  summary: 'Grafana refuses the sign-in',
  reason: 'SPA',
  checks: [{ code: 'entra.aadsts9002327', status: 'fail', message: 'SPA', fix: null, source: '' }],
};

describe('setup helpers', () => {
  it('keys steps by kind and occurrence, so a saved state survives a reworded title', () => {
    const keys = keyedSteps([step('register', 'Register "Grafana"'), step('product'), step('product')]).map((s) => s.key);
    expect(keys).toEqual(['register:0', 'product:0', 'product:1']);
    const renamed = keyedSteps([step('register', 'Register "Grafana prod"')]);
    expect(renamed[0].key).toBe('register:0');
  });

  it('toggles to do and done, and a verified or failed step back to done', () => {
    expect(toggled('todo')).toBe('done');
    expect(toggled('done')).toBe('todo');
    expect(toggled('verified')).toBe('done');
    expect(toggled('failed')).toBe('done');
  });

  it('counts done and verified steps', () => {
    const steps = keyedSteps([step('register'), step('redirect_uris'), step('client_secret')]);
    expect(progress(steps, { 'register:0': 'verified', 'redirect_uris:0': 'done', 'client_secret:0': 'failed' })).toEqual({ done: 2, total: 3 });
  });

  it('blames the step a failing check is about', () => {
    expect(stepKindForCheck('entra.aadsts9002327')).toBe('redirect_uris');
    expect(stepKindForCheck('entra.aadsts50011')).toBe('redirect_uris');
    expect(stepKindForCheck('entra.aadsts7000215')).toBe('client_secret');
    expect(stepKindForCheck('entra.aadsts65001')).toBe('admin_consent');
    expect(stepKindForCheck('grafana.roles.absent')).toBe('app_roles');
    expect(stepKindForCheck('keep.groups.overage')).toBe('groups_claim');
    expect(stepKindForCheck('token.none')).toBeNull();
  });

  it('marks the blamed step failed after a failing verdict and verifies done steps after a working one', () => {
    const steps = keyedSteps([step('register'), step('redirect_uris'), step('app_roles')]);
    const before = { 'register:0': 'done', 'redirect_uris:0': 'done' } as const;
    expect(statesAfterVerdict(steps, before, failing)).toEqual({ 'register:0': 'done', 'redirect_uris:0': 'failed' });
    const works: Verdict = { ...failing, outcome: 'works', checks: [{ code: 'grafana.aud', status: 'pass', message: '', fix: null, source: '' }] };
    expect(statesAfterVerdict(steps, { ...before, 'redirect_uris:0': 'failed' }, works)).toEqual({
      'register:0': 'verified',
      'redirect_uris:0': 'verified',
    });
  });

  it('lists a field’s messages errors first', () => {
    const m = messagesFor(
      [
        { field: 'tenant', level: 'info', code: 'a', message: 'info', fix: null },
        { field: 'tenant', level: 'error', code: 'b', message: 'error', fix: null },
        { field: 'client_id', level: 'error', code: 'c', message: 'other', fix: null },
      ],
      'tenant',
    );
    expect(m.map((x) => x.message)).toEqual(['error', 'info']);
  });

  it('fills the sandbox tenant, the correct app or its twin, and the demo secret’s session name', () => {
    const correct = sandboxInputs(MOCK_SANDBOX, 'grafana', false, blankInputs());
    expect(correct?.app).toBe('grafana');
    expect(correct?.inputs.tenant).toBe(MOCK_SANDBOX.tenant_id);
    expect(correct?.inputs.client_id).toBe('33333333-0000-4000-8000-000000000005');
    expect(correct?.inputs.secret_name).toBe('sandbox-grafana');
    expect(correct?.inputs.base_url).toBe('https://grafana.contoso.sandbox');
    const twin = sandboxInputs(MOCK_SANDBOX, 'grafana', true, { ...blankInputs(), base_url: 'https://g.example.com' });
    expect(twin?.app).toBe('grafana-misconfigured');
    expect(twin?.inputs.base_url).toBe('https://g.example.com');
    expect(sandboxInputs(MOCK_SANDBOX, 'camunda', false, blankInputs())).toBeNull();
  });

  it('hands Diagnose the authority (or tenant and cloud), client, secret name and product', () => {
    const inputs = { ...blankInputs(), base_url: 'https://grafana.example.com', tenant: 'contoso.onmicrosoft.us', cloud: 'us_gov' as const, client_id: 'abc', secret_name: 'prod-grafana' };
    expect(diagnosePrefill('grafana', inputs, null)).toEqual({
      target: 'grafana',
      baseUrl: 'https://grafana.example.com',
      tenant: 'contoso.onmicrosoft.us',
      cloud: 'us_gov',
      clientId: 'abc',
      secretName: 'prod-grafana',
    });
    expect(diagnosePrefill('grafana', inputs, 'http://127.0.0.1:1/t/v2.0').authority).toBe('http://127.0.0.1:1/t/v2.0');
  });

  it('names a new profile after the product, numbering when taken', () => {
    expect(freshProfileName('Grafana', [])).toBe('Grafana');
    expect(freshProfileName('Grafana', ['grafana', 'Grafana 2'])).toBe('Grafana 3');
  });

  it('offers to copy the code, URLs and IDs in a step’s wording, each once', () => {
    expect(copyables('Redirect URI: select platform "Web" and enter https://grafana.example.com/login/azuread.')).toEqual([
      'https://grafana.example.com/login/azuread',
    ]);
    expect(copyables('Store it: `entrance secret set NAME` (the Value is read from standard input).')).toEqual(['entrance secret set NAME']);
    expect(copyables('Open https://portal.azure.com/#@t/view/appId/33333333-0000-4000-8000-000000000005 (app 33333333-0000-4000-8000-000000000005)')).toEqual([
      'https://portal.azure.com/#@t/view/appId/33333333-0000-4000-8000-000000000005',
      '33333333-0000-4000-8000-000000000005',
    ]);
    expect(copyables('Click Register.')).toEqual([]);
  });
});
