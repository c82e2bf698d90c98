import type { Finding, Inspection, JsonValue, Severity, TokenReport } from './bindings';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a GUID such as an Application (client) or Directory (tenant) ID. */
export function isGuid(s: string): boolean {
  return GUID.test(s.trim());
}

/** The as-you-type message for an optional GUID field; null when fine or empty. */
export function guidProblem(value: string, what: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  if (isGuid(v)) return null;
  const hex = v.replace(/[^0-9a-f]/gi, '').length;
  if (v.includes('.') || v.includes('@')) return `${what} must be a GUID, not a domain name.`;
  return `${what} must be a GUID (32 hex digits in 8-4-4-4-12 form); this has ${hex} hex digit${hex === 1 ? '' : 's'}.`;
}

/** The token the admin most likely cares about: the first decoded JWT, else the first item. */
export function primaryToken(inspection: Inspection): TokenReport | null {
  return inspection.tokens.find((t) => t.claims !== null) ?? inspection.tokens[0] ?? null;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings, most severe first (stable within a severity). */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

/** The worst severity among findings that concern `claim` (by code prefix or mention). */
export function claimSeverity(claim: string, findings: Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) {
    const head = f.code.split('.')[0];
    const about =
      head === claim ||
      (claim === 'exp' && f.code === 'token.expired') ||
      (claim === 'nbf' && f.code === 'token.not_yet_valid') ||
      ((claim === '_claim_names' || claim === '_claim_sources') && f.code === 'groups.overage');
    if (about && (worst === null || RANK[f.severity] < RANK[worst])) worst = f.severity;
  }
  return worst;
}

/** A claim value as text: strings as they are, everything else as JSON. */
export function valueText(v: JsonValue | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The `groups` claim's values, or [] when there is none. */
export function groupsClaim(t: TokenReport): string[] {
  const g = t.claims?.['groups'];
  return Array.isArray(g) ? g.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether a token carries the overage markers instead of `groups`. */
export function hasOverage(t: TokenReport): boolean {
  const names = t.claims?.['_claim_names'];
  return typeof names === 'object' && names !== null && !Array.isArray(names) && 'groups' in names;
}

/** Microsoft Graph in each cloud, as the admin picks it for resolving groups. */
export const GRAPH_CLOUDS: { label: string; base: string }[] = [
  { label: 'Global', base: 'https://graph.microsoft.com' },
  { label: 'US Government', base: 'https://graph.microsoft.us' },
  { label: 'US Government (DoD)', base: 'https://dod-graph.microsoft.us' },
  { label: 'China (21Vianet)', base: 'https://microsoftgraph.chinacloudapi.cn' },
];

const LOGIN_HOST_CLOUD: Record<string, string> = {
  'login.microsoftonline.com': 'https://graph.microsoft.com',
  'sts.windows.net': 'https://graph.microsoft.com',
  'login.microsoftonline.us': 'https://graph.microsoft.us',
  'login.partner.microsoftonline.cn': 'https://microsoftgraph.chinacloudapi.cn',
  'login.chinacloudapi.cn': 'https://microsoftgraph.chinacloudapi.cn',
};

/**
 * The Graph to suggest for a token: the Microsoft Graph of the cloud its
 * issuer belongs to, else the global one. Only Microsoft's own Graph hosts
 * come out of it: a host named inside the token (its overage marker) is
 * never suggested, because the admin's Graph token would be sent there.
 */
export function graphBase(t: TokenReport): string {
  const iss = t.claims?.['iss'];
  if (typeof iss === 'string') {
    try {
      const known = LOGIN_HOST_CLOUD[new URL(iss).hostname];
      if (known) return known;
    } catch {
      /* not a URL: the global cloud */
    }
  }
  return GRAPH_CLOUDS[0].base;
}

/** One mark on the timeline. */
export interface TimeMark {
  claim: 'iat' | 'nbf' | 'auth_time' | 'exp' | 'now';
  unix: number;
  label: string;
}

const TIME_LABELS: Record<TimeMark['claim'], string> = {
  auth_time: 'signed in',
  iat: 'issued',
  nbf: 'valid from',
  exp: 'expires',
  now: 'now',
};

/** The token's time claims plus now, in time order. */
export function timeMarks(t: TokenReport, now: number): TimeMark[] {
  const marks: TimeMark[] = [];
  for (const claim of ['auth_time', 'iat', 'nbf', 'exp'] as const) {
    const v = t.claims?.[claim];
    if (typeof v === 'number' && Number.isFinite(v)) marks.push({ claim, unix: v, label: TIME_LABELS[claim] });
  }
  if (marks.length === 0) return [];
  marks.push({ claim: 'now', unix: now, label: TIME_LABELS.now });
  return marks.sort((a, b) => a.unix - b.unix);
}

/** "1 h 10 min", "42 s", "3 d 2 h": a duration for the timeline. */
export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Whether the token is valid, expired or not yet valid at `now`. */
export function lifetimeState(t: TokenReport, now: number): 'valid' | 'expired' | 'not_yet_valid' | 'unknown' {
  const exp = t.claims?.['exp'];
  const nbf = t.claims?.['nbf'];
  if (typeof nbf === 'number' && now < nbf) return 'not_yet_valid';
  if (typeof exp === 'number') return now >= exp ? 'expired' : 'valid';
  return 'unknown';
}

/**
 * What may be shared: per item the header, claims and findings — never the
 * signature, the raw token or anything else the paste held.
 */
export function redactedExport(inspection: Inspection): string {
  const items = inspection.tokens.map((t) => ({
    kind: t.kind,
    version: t.version,
    header: t.header,
    claims: t.claims,
    findings: t.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, fix: f.fix })),
  }));
  return JSON.stringify({ exported_by: 'Entrance', note: 'Header, claims and findings only; the signature and the token are not included.', items }, null, 2);
}

/** Filter groups by ID or name, case-insensitively. */
export function filterGroups<T extends { id: string; name: string | null }>(groups: T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (q === '') return groups;
  return groups.filter((g) => g.id.toLowerCase().includes(q) || (g.name ?? '').toLowerCase().includes(q));
}
