import { describe, expect, it } from 'vitest';
import { SAMPLE_INSPECTION, SAMPLE_TOKEN } from './inspect-sample';
import {
  claimSeverity,
  duration,
  filterGroups,
  graphBase,
  guidProblem,
  hasOverage,
  lifetimeState,
  primaryToken,
  redactedExport,
  sortFindings,
  timeMarks,
} from './inspect';

const token = primaryToken(SAMPLE_INSPECTION)!;

describe('inspect helpers', () => {
  it('checks GUIDs as they are typed, and says why', () => {
    expect(guidProblem('', 'Tenant')).toBeNull();
    expect(guidProblem(' aaaaaaaa-0000-4000-8000-000000000001 ', 'Tenant')).toBeNull();
    expect(guidProblem('contoso.onmicrosoft.com', 'Tenant')).toMatch(/not a domain name/);
    expect(guidProblem('aaaa', 'Tenant')).toMatch(/4 hex digits/);
  });

  it('reads overage and suggests the Graph of the issuer\'s cloud', () => {
    expect(hasOverage(token)).toBe(true);
    expect(graphBase(token)).toBe('https://graph.microsoft.com');
    const gov = { ...token, claims: { ...token.claims, iss: 'https://login.microsoftonline.us/t/v2.0' } };
    expect(graphBase(gov)).toBe('https://graph.microsoft.us');
  });

  it('never suggests a Graph host named inside the token', () => {
    const forged = {
      ...token,
      claims: {
        ...token.claims,
        iss: 'https://attacker.example/t/v2.0',
        _claim_names: { groups: 'src1' },
        _claim_sources: { src1: { endpoint: 'https://attacker.example/t/users/x/getMemberObjects' } },
      },
    };
    expect(graphBase(forged)).toBe('https://graph.microsoft.com');
  });

  it('puts errors first and marks the claims findings are about', () => {
    const sorted = sortFindings(token.findings);
    const rank = { error: 0, warning: 1, info: 2 };
    expect(sorted.map((f) => rank[f.severity])).toEqual([...sorted.map((f) => rank[f.severity])].sort());
    const expired = token.findings.find((f) => f.code === 'token.expired')!;
    const overage = token.findings.find((f) => f.code === 'groups.overage')!;
    expect(claimSeverity('exp', token.findings)).toBe(expired.severity);
    expect(claimSeverity('_claim_names', token.findings)).toBe(overage.severity);
    expect(claimSeverity('name', token.findings)).toBeNull();
  });

  it('orders the timeline marks and tells the lifetime state', () => {
    const exp = token.claims!['exp'] as number;
    const marks = timeMarks(token, exp + 60);
    expect(marks.map((m) => m.claim)).toEqual(['auth_time', 'iat', 'nbf', 'exp', 'now']);
    expect(lifetimeState(token, exp + 60)).toBe('expired');
    expect(lifetimeState(token, exp - 60)).toBe('valid');
    expect(duration(4200)).toBe('1 h 10 min');
    expect(duration(-42)).toBe('42 s');
  });

  it('exports header, claims and findings but never the signature or the token', () => {
    const out = redactedExport(SAMPLE_INSPECTION);
    const signature = SAMPLE_TOKEN.split('.')[2]!;
    expect(out).not.toContain(signature);
    expect(out).not.toContain(SAMPLE_TOKEN.split('.')[1]!);
    const parsed = JSON.parse(out);
    expect(Object.keys(parsed.items[0])).toEqual(['kind', 'version', 'header', 'claims', 'findings']);
    expect(parsed.items[0].claims.oid).toBe(token.claims!['oid']);
  });

  it('searches groups by name or ID', () => {
    const groups = [
      { id: '22222222-0000-4000-8001-000000000001', name: 'Bulk group 001' },
      { id: '22222222-0000-4000-8001-000000000042', name: 'Bulk group 042' },
    ];
    expect(filterGroups(groups, 'group 042')).toHaveLength(1);
    expect(filterGroups(groups, '000000000001')).toHaveLength(1);
    expect(filterGroups(groups, '')).toHaveLength(2);
  });
});
