//! `cargo xtask fuzz`: libFuzzer over every parser that reads input from
//! outside (the targets in `fuzz/fuzz_targets/`), with the committed corpora
//! in `fuzz/corpus/` as seeds.
//!
//! ```text
//! cargo xtask fuzz                     every target for 1 minute
//! cargo xtask fuzz --minutes 10 paste  one target for 10 minutes
//! cargo xtask fuzz --runs 10000000     every target for 10 million executions
//! cargo xtask fuzz --smoke             every target for a few seconds (CI)
//! ```
//!
//! cargo-fuzz needs a nightly toolchain. None can be downloaded here, so the
//! one installed is used (`rustup run nightly`) and its absence is said
//! plainly; cargo-fuzz itself is installed from the crate registry when
//! missing. New inputs are written to `target/fuzz-corpus/<target>`, never
//! into the committed corpus; a crash leaves its input in
//! `fuzz/artifacts/<target>/` and fails the command.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::run::target_dir;
use crate::util::{self, step};

/// Every fuzz target (a file in `fuzz/fuzz_targets/`).
pub const TARGETS: &[&str] = &[
    "paste",
    "aadsts",
    "callback",
    "token_response",
    "graph",
    "scenario",
    "redaction",
];

/// How long, or how many executions, each target runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Seconds(u64),
    Runs(u64),
}

/// What one target did.
#[derive(Debug, Clone)]
pub struct Run {
    pub target: &'static str,
    pub executions: u64,
    pub took: Duration,
    pub crashed: bool,
    pub corpus: u64,
}

pub fn fuzz(args: &[&str]) -> Result<()> {
    let (budget, targets) = parse_args(args)?;
    let runs = run_all(budget, &targets)?;
    step("Fuzz summary");
    eprintln!(
        "{:<15} {:>14} {:>10} {:>12} {:>8}  result",
        "target", "executions", "seconds", "exec/s", "corpus"
    );
    for r in &runs {
        eprintln!(
            "{:<15} {:>14} {:>10.1} {:>12.0} {:>8}  {}",
            r.target,
            r.executions,
            r.took.as_secs_f64(),
            r.executions as f64 / r.took.as_secs_f64().max(0.001),
            r.corpus,
            if r.crashed { "CRASH" } else { "0 crashes" }
        );
    }
    let crashed: Vec<&str> = runs
        .iter()
        .filter(|r| r.crashed)
        .map(|r| r.target)
        .collect();
    let total: u64 = runs.iter().map(|r| r.executions).sum();
    println!(
        "fuzz: {} passed, {} failed ({total} executions)",
        runs.len() - crashed.len(),
        crashed.len()
    );
    if !crashed.is_empty() {
        bail!(
            "a fuzz target crashed: {} (the input is in fuzz/artifacts/)",
            crashed.join(", ")
        );
    }
    Ok(())
}

fn parse_args(args: &[&str]) -> Result<(Budget, Vec<&'static str>)> {
    let mut budget = Budget::Seconds(60);
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(&arg) = it.next() {
        let mut number = |what: &str| -> Result<u64> {
            it.next()
                .and_then(|v| v.replace('_', "").parse().ok())
                .with_context(|| format!("{what} takes a whole number"))
        };
        match arg {
            "--minutes" => budget = Budget::Seconds(number("--minutes")? * 60),
            "--seconds" => budget = Budget::Seconds(number("--seconds")?),
            "--runs" => budget = Budget::Runs(number("--runs")?),
            "--smoke" => budget = Budget::Seconds(SMOKE_SECONDS),
            name => match TARGETS.iter().find(|t| **t == name) {
                Some(t) => targets.push(*t),
                None => bail!(
                    "unknown fuzz target or option {name:?}; targets: {}",
                    TARGETS.join(", ")
                ),
            },
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    Ok((budget, targets))
}

/// Seconds per target in the smoke pass of `cargo xtask test`.
pub const SMOKE_SECONDS: u64 = 8;

/// Builds the targets once, then runs each within `budget`.
pub fn run_all(budget: Budget, targets: &[&'static str]) -> Result<Vec<Run>> {
    ensure_tools()?;
    step("Building the fuzz targets (nightly, libFuzzer)");
    util::run(cargo_fuzz().args(["build", "--sanitizer", "none"]))?;
    targets.iter().map(|t| run_one(t, budget)).collect()
}

fn run_one(target: &'static str, budget: Budget) -> Result<Run> {
    let work = target_dir().join("fuzz-corpus").join(target);
    std::fs::create_dir_all(&work)?;
    let seeds = fuzz_dir().join("corpus").join(target);
    let limit = match budget {
        Budget::Seconds(s) => format!("-max_total_time={s}"),
        Budget::Runs(n) => format!("-runs={n}"),
    };
    step(&format!("Fuzzing {target} ({limit})"));
    let started = Instant::now();
    let out = cargo_fuzz()
        .args(["run", "--sanitizer", "none", target])
        .arg(&work)
        .arg(&seeds)
        .args([
            "--",
            &limit,
            "-print_final_stats=1",
            "-timeout=10",
            "-rss_limit_mb=2048",
            "-max_len=65536",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("could not run cargo fuzz for {target}"))?;
    let took = started.elapsed();
    let log =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let executions = stat(&log, "stat::number_of_executed_units").unwrap_or(0);
    let crashed = !out.status.success();
    if crashed {
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    }
    let corpus = std::fs::read_dir(&work)
        .map(|d| d.count() as u64)
        .unwrap_or(0)
        + std::fs::read_dir(&seeds)
            .map(|d| d.count() as u64)
            .unwrap_or(0);
    eprintln!(
        "{target}: {executions} executions in {:.1} s",
        took.as_secs_f64()
    );
    Ok(Run {
        target,
        executions,
        took,
        crashed,
        corpus,
    })
}

/// A number libFuzzer printed as `stat::name: N`.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix(name))
        .filter_map(|rest| rest.trim_start_matches(':').trim().parse().ok())
        .last()
}

fn fuzz_dir() -> PathBuf {
    util::root().join("fuzz")
}

/// `cargo fuzz` on the installed nightly toolchain, in `fuzz/`.
fn cargo_fuzz() -> Command {
    let mut cmd = Command::new("rustup");
    cmd.args(["run", "nightly", "cargo", "fuzz"])
        .current_dir(fuzz_dir())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("CARGO")
        .env("CARGO_TARGET_DIR", target_dir().join("fuzz-build"));
    cmd
}

/// The nightly toolchain (never downloaded) and cargo-fuzz (installed once).
fn ensure_tools() -> Result<()> {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .env_remove("RUSTUP_TOOLCHAIN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output();
    match nightly {
        Ok(o) if o.status.success() => {}
        _ => bail!(
            "fuzzing needs a nightly Rust toolchain (libFuzzer instrumentation) and none is installed: \
             `rustup toolchain list` shows none named nightly. Install one with \
             `rustup toolchain install nightly` where the network allows it; this project never downloads one itself."
        ),
    }
    let have_fuzz = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_fuzz {
        step("Installing cargo-fuzz");
        util::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_stats_are_read() {
        let log = "#1000 DONE cov: 10\nstat::number_of_executed_units: 10000123\nstat::average_exec_per_sec:   5000\n";
        assert_eq!(
            stat(log, "stat::number_of_executed_units"),
            Some(10_000_123)
        );
        assert_eq!(stat(log, "stat::average_exec_per_sec"), Some(5000));
        assert_eq!(stat("nothing", "stat::x"), None);
    }

    #[test]
    fn options_and_targets_are_parsed() {
        assert_eq!(
            parse_args(&["--minutes", "2", "paste"]).unwrap(),
            (Budget::Seconds(120), vec!["paste"])
        );
        assert_eq!(
            parse_args(&["--runs", "10_000_000"]).unwrap().0,
            Budget::Runs(10_000_000)
        );
        assert_eq!(parse_args(&[]).unwrap().1.len(), TARGETS.len());
        assert!(parse_args(&["nope"]).is_err());
    }

    #[test]
    fn every_target_has_a_file_and_a_committed_corpus() {
        for t in TARGETS {
            assert!(
                fuzz_dir()
                    .join("fuzz_targets")
                    .join(format!("{t}.rs"))
                    .is_file(),
                "{t}"
            );
            let seeds = std::fs::read_dir(fuzz_dir().join("corpus").join(t))
                .map(|d| d.count())
                .unwrap_or(0);
            assert!(seeds > 0, "fuzz/corpus/{t} holds seeds");
        }
    }
}
