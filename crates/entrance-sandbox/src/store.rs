//! Grants in flight: sign-ins waiting for a password or a consent, SSO
//! sessions, authorization codes, refresh tokens and device codes. All in
//! memory; a sandbox forgets everything when it stops.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::authorize::AuthorizeRequest;
use crate::directory::{Resource, ScopeRequest, TenantSel};
use crate::redirect::Platform;

/// Authorization codes live about ten minutes (v2-oauth2-auth-code-flow.md).
pub const CODE_LIFETIME: i64 = 600;
/// Device codes: 15 minutes (v2-oauth2-device-code.md, `expires_in`).
pub const DEVICE_CODE_LIFETIME: i64 = 900;
/// Polling interval the device flow asks for (v2-oauth2-device-code.md).
pub const DEVICE_INTERVAL: i64 = 5;
/// SPA refresh tokens: 24 hours, not extended (docs/entra.md#token-versions-and-issuers; docs/entra.md#authorization-code-flow).
pub const SPA_REFRESH_LIFETIME: i64 = 24 * 3600;
/// Other refresh tokens: 90 days (docs/entra.md#token-versions-and-issuers).
pub const REFRESH_LIFETIME: i64 = 90 * 24 * 3600;
/// How long a sign-in page stays usable.
pub const PENDING_LIFETIME: i64 = 1800;

/// An SSO session (the `ESTSAUTH` cookie).
#[derive(Debug, Clone)]
pub struct Session {
    pub user_oid: String,
    pub auth_time: i64,
    pub sid: String,
}

/// What a sign-in page is for.
#[derive(Debug, Clone)]
pub enum PendingKind {
    Authorize(Box<AuthorizeRequest>),
    /// A device code's user code, entered on the device sign-in page.
    Device(String),
}

/// A sign-in started and not finished.
#[derive(Debug, Clone)]
pub struct Pending {
    pub kind: PendingKind,
    pub sel: TenantSel,
    pub created: i64,
    /// Set after the password, while the consent page is shown.
    pub consent: Option<PendingConsent>,
}

#[derive(Debug, Clone)]
pub struct PendingConsent {
    pub user_oid: String,
    pub tenant_id: String,
    pub session: Session,
    /// Delegated permissions to consent to, per resource.
    pub missing: Vec<(Resource, Vec<String>)>,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub platform: Platform,
    pub user_oid: String,
    /// The tenant the tokens are issued in.
    pub tenant_id: String,
    /// The authority the code was requested at (700005 checks it).
    pub sel: TenantSel,
    pub scope: ScopeRequest,
    pub nonce: Option<String>,
    pub code_challenge: Option<(String, String)>,
    pub auth_time: i64,
    pub sid: String,
    pub id_token_version: u8,
    pub issued_at: i64,
    pub redeemed: bool,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_oid: String,
    pub tenant_id: String,
    pub scope: ScopeRequest,
    pub spa: bool,
    /// When the first refresh token of this sign-in was issued (SPA cap).
    pub family_issued_at: i64,
    pub last_used: i64,
    pub sid: String,
    pub auth_time: i64,
    pub id_token_version: u8,
    /// The platform of the code's redirect URI: its rules apply to every
    /// refresh (docs/entra.md#redirect-uris).
    pub platform: Platform,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Approved {
        user_oid: String,
        tenant_id: String,
        auth_time: i64,
        sid: String,
    },
    Declined,
    Redeemed,
}

/// A device authorization request.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub sel: TenantSel,
    pub scope: ScopeRequest,
    pub expires_at: i64,
    pub state: DeviceState,
}

/// Everything in flight.
#[derive(Debug, Default)]
pub struct Store {
    pub sessions: Mutex<HashMap<String, Session>>,
    pub pending: Mutex<HashMap<String, Pending>>,
    pub codes: Mutex<HashMap<String, AuthCode>>,
    pub refresh: Mutex<HashMap<String, RefreshGrant>>,
    /// By device code.
    pub devices: Mutex<HashMap<String, DeviceGrant>>,
    /// Interactive user sign-ins, oldest first (Graph's `auditLogs/signIns`).
    pub sign_ins: Mutex<Vec<SignIn>>,
}

/// One interactive sign-in as Graph's signIn resource shows it (signin-list).
#[derive(Debug, Clone)]
pub struct SignIn {
    pub id: String,
    pub created: i64,
    pub user_oid: String,
    pub user_principal_name: String,
    pub user_display_name: String,
    pub app_id: String,
    pub app_display_name: String,
    pub tenant_id: String,
    /// 0 = success, else the AADSTS code.
    pub error_code: u32,
    pub failure_reason: String,
    pub correlation_id: String,
}

/// Locks a mutex, recovering from poisoning (a panicked handler must not
/// take the whole sandbox down).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Store {
    /// Drops what has expired; called on the way into each flow.
    pub fn sweep(&self, now: i64) {
        lock(&self.pending).retain(|_, p| now - p.created < PENDING_LIFETIME);
        // Redeemed codes are kept until they expire so reuse reports 54005.
        lock(&self.codes).retain(|_, c| now - c.issued_at < 4 * CODE_LIFETIME);
        lock(&self.devices).retain(|_, d| now < d.expires_at + DEVICE_CODE_LIFETIME);
    }
}
