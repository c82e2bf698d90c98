import { describe, expect, it } from 'vitest';
import type { LoginProgress } from './bindings';
import { MOCK_FAILURE } from './backend/mock-signin';
import { authorityProblem, clientIdProblem, flowPicture, formProblems, scopesFor, tenantProblem, type SignInForm } from './signin';

const FORM: SignInForm = {
  mode: 'tenant',
  cloud: 'global',
  tenant: 'contoso.onmicrosoft.com',
  authorityUrl: '',
  clientId: '33333333-0000-4000-8000-000000000011',
  confidential: false,
  secretName: '',
  method: 'post',
  redirectUri: '',
};

const waiting: LoginProgress = {
  event: 'waiting_for_browser',
  url: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/authorize?x=1',
  redirect_uri: 'http://localhost:50000/',
  listening_on: ['127.0.0.1:50000'],
  advice: { uri: 'http://localhost', platform: 'mobile_and_desktop', portal: '…', why: '…' },
  timeout_secs: 300,
};

describe('the sign-in form', () => {
  it('checks the client ID as it is typed', () => {
    expect(clientIdProblem('')).toMatch(/Overview page/);
    expect(clientIdProblem('33333333-0000')).toMatch(/Incomplete/);
    expect(clientIdProblem('grafana')).toMatch(/Not an Application \(client\) ID/);
    expect(clientIdProblem(' 33333333-0000-4000-8000-000000000011 ')).toBeNull();
  });

  it('takes a tenant ID or domain, and an https authority (http only on loopback)', () => {
    expect(tenantProblem('contoso.onmicrosoft.com')).toBeNull();
    expect(tenantProblem('aaaaaaaa-0000-4000-8000-000000000001')).toBeNull();
    expect(tenantProblem('organizations')).toBeNull();
    expect(tenantProblem('contoso')).toMatch(/verified domain/);
    expect(authorityProblem('https://login.microsoftonline.us/contoso/v2.0')).toBeNull();
    expect(authorityProblem('http://127.0.0.1:4000/aaaa/v2.0')).toBeNull();
    expect(authorityProblem('http://login.microsoftonline.com/contoso')).toMatch(/https/);
    expect(authorityProblem('login.microsoftonline.com')).toMatch(/Not a URL/);
  });

  it('needs the saved secret’s name for a confidential client', () => {
    expect(formProblems(FORM)).toEqual({});
    expect(formProblems({ ...FORM, confidential: true })).toHaveProperty('secretName');
    expect(formProblems({ ...FORM, confidential: true, secretName: 'prod-grafana' })).toEqual({});
    expect(formProblems({ ...FORM, mode: 'url', authorityUrl: '' })).toHaveProperty('authority');
  });

  it('builds scopes from a preset and free text, without openid or duplicates', () => {
    expect(scopesFor('basic', '', '')).toEqual(['profile', 'email']);
    expect(scopesFor('offline', '', 'openid email  User.Read,')).toEqual(['profile', 'email', 'offline_access', 'User.Read']);
    expect(scopesFor('api', 'abc', '')).toContain('api://abc/.default');
    expect(scopesFor('graph', '', '')).toContain('GroupMember.Read.All');
  });
});

describe('the picture of the flow', () => {
  const states = (events: LoginProgress[]) => flowPicture(events).steps.map((s) => s.state);

  it('animates the step in progress and ticks off the ones done', () => {
    expect(states([])).toEqual(['pending', 'pending', 'pending', 'pending', 'pending']);
    expect(states([waiting])).toEqual(['active', 'pending', 'pending', 'pending', 'pending']);
    expect(flowPicture([waiting]).url).toContain('/authorize?');
    expect(states([waiting, { event: 'callback_received' }])).toEqual(['done', 'done', 'active', 'pending', 'pending']);
    expect(states([waiting, { event: 'callback_received' }, { event: 'exchanging', token_endpoint: 't' }, { event: 'verifying' }])).toEqual([
      'done',
      'done',
      'done',
      'active',
      'pending',
    ]);
    expect(states([waiting, { event: 'verifying' }, { event: 'done', signed_in_as: 'a' }])).toEqual(['done', 'done', 'done', 'done', 'done']);
  });

  it('marks the step that broke', () => {
    const failed: LoginProgress = { event: 'failed', error: MOCK_FAILURE };
    const picture = flowPicture([waiting, { event: 'callback_received' }, { event: 'exchanging', token_endpoint: 't' }, failed]);
    expect(picture.steps.map((s) => s.state)).toEqual(['done', 'done', 'failed', 'pending', 'pending']);
    expect(picture.failedAt).toBe('exchange');
    expect(picture.failure?.aadsts).toBe(9002327);
    // Before the browser (discovery, a preflight 50011): the browser step broke.
    expect(flowPicture([failed]).failedAt).toBe('browser');
  });

  it('says when no browser opened', () => {
    const picture = flowPicture([waiting, { event: 'browser_not_opened', command: null, reason: 'no display' }]);
    expect(picture.browserNote).toMatch(/No browser opened: no display/);
  });
});
