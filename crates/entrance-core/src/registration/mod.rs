//! The app registration in the tenant, through Microsoft Graph: read it,
//! audit it against a target product's requirements, repair it, or create
//! it from scratch (docs/graph.md lists every Graph request used).
//!
//! ```text
//! GraphToken ─▶ GraphClient ─snapshot::read─▶ Snapshot ─audit::audit─▶ [RegistrationFinding] + Draft
//!                                                          Draft ─plan::repair─▶ Plan ─apply::apply─▶ ApplyOutcome
//! Requirements ─create::plan─▶ Plan (POST /applications, /servicePrincipals, consent, assignment, addPassword)
//! ```
//!
//! Tenant changes are shown first (the plan and its before → after diff),
//! sent only when the caller applies the plan, idempotent (a repaired
//! registration audits clean, so a second repair plans nothing), and
//! re-read and re-audited afterwards by the application layer
//! (`crate::app::registration`).

pub mod apply;
pub mod audit;
pub mod create;
pub mod graph;
pub mod model;
pub mod plan;
pub mod preview;
pub mod signins;
pub mod snapshot;
pub mod token;

pub use apply::{apply, ApplyOutcome, SecretSink};
pub use audit::{audit, AuditInput, PortalLink, RegistrationFinding, CHECKS};
pub use graph::{GraphClient, GraphRequest};
pub use plan::Plan;
pub use snapshot::Snapshot;
pub use token::{Connection, GraphToken, TokenKind};
