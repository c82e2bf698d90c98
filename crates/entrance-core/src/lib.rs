//! Entrance's domain logic.
//!
//! Everything an admin can do in Entrance — sign in, inspect a token, diagnose
//! a connection, set up a target product — lives here, behind plain Rust
//! functions and serializable types. The desktop shell (`src-tauri`) and the
//! `entrance` CLI are thin adapters over this crate.
//!
//! Architecture invariants (checked by `cargo xtask test`):
//! - this crate depends on no Tauri, wry or WebKit crate;
//! - it writes nothing to a terminal and renders no UI;
//! - no secret is held in a type that implements `Serialize`.

pub mod aadsts;
pub mod about;
pub mod app;
pub mod claims;
pub mod diagnose;
pub mod error;
pub mod findings;
#[doc(hidden)]
pub mod fuzzing;
pub mod groups;
pub mod http;
pub mod inspect;
pub mod login;
pub mod paths;
pub mod profiles;
pub mod redact;
pub mod registration;
pub mod secrets;
pub mod targets;
pub mod token;
pub mod verify;

#[cfg(test)]
pub(crate) mod testkit;

pub use about::BuildInfo;
pub use error::{Error, ErrorCode, IpcError, Result};
