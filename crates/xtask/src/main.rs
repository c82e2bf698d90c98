//! `cargo xtask` — Entrance's project chores, in Rust so they run the same on
//! every machine that can build the project.
//!
//! - `cargo xtask run`      install what is missing, build, open Entrance
//! - `cargo xtask test`     install what is missing, run every suite headless
//! - `cargo xtask bench`    the core's benchmarks, then the release app against a bare Tauri window
//! - `cargo xtask bindings` regenerate `ui/src/lib/bindings.ts`
//! - `cargo xtask fuzz`     libFuzzer over every parser of outside input
//! - `cargo xtask dist`     the release packages (.deb, .rpm); `--install-test` installs and removes the .deb
//! - `cargo xtask setup [run|test]`  only install what is missing
//!
//! Every step is idempotent: a second run installs nothing.

mod bench;
#[cfg(test)]
mod citations;
mod dist;
mod fuzz;
mod run;
mod setup;
mod test;
mod util;

use anyhow::{bail, Result};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run        install what is missing, build Entrance and open it
  test       install what is missing for testing, run every suite headless
  bench      [app|core] benchmarks: inspector, sign-in, diagnosis; app start-up, memory, size
  bindings   regenerate the TypeScript bindings from the Rust commands
  fuzz       [--minutes N | --seconds N | --runs N | --smoke] [TARGET...]: libFuzzer over
             every parser of outside input (needs the installed nightly toolchain)
  dist       [--install-test | --install-test-only]: build the release app and CLI and bundle
             the .deb and .rpm (target/release/bundle/); --install-test then installs the
             .deb with apt, runs the installed CLI, man page, completions and app (under
             Xvfb), and removes it again
  setup      install what is missing, then stop (`setup test` for test tools)
";

fn main() {
    if let Err(e) = dispatch() {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

fn dispatch() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match args.first().map(String::as_str) {
        Some("run") => run::run(&rest),
        Some("test") => test::test(&rest),
        Some("bench") => bench::bench(&rest),
        Some("bindings") => test::bindings(),
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("dist") => dist::dist(&rest),
        Some("setup") => match rest.first().copied() {
            None | Some("run") => setup::ensure(setup::Purpose::Run),
            Some("test") => setup::ensure(setup::Purpose::Test),
            Some(other) => bail!("unknown setup purpose {other:?}\n\n{USAGE}"),
        },
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}
