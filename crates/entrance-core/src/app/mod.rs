//! The application layer: one function per action that both faces call —
//! the desktop app's commands and the CLI's subcommands. Each takes a
//! request type and returns an outcome type; neither face adds logic.

pub mod registration;
