//! `cargo xtask bench`: the release app against a bare Tauri v2 window,
//! measured the same way in the same run.
//!
//! - start-up: exec → the webview's first page finished loading (both print
//!   one line on `PageLoadEvent::Finished`);
//! - idle memory: 5 s later, PSS summed over the app and every process it
//!   started (WebKit's web and network processes), from `/proc/*/smaps_rollup`;
//! - the release binary's size.
//!
//! Figures are medians over several alternating runs; the verdict is the
//! ratio to the baseline (budget: 1.25×) and the size budget (15 MB).
//!
//! Before that, the core's benchmarks (`cargo xtask bench core` alone): the
//! inspector against a plain JWT decode, sign-in's callback → claims, and the
//! connectivity doctor's wall time against its longest dependency chain.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::run::{build_app, target_dir};
use crate::setup::{self, Purpose};
use crate::util::{self, step};

const RUNS: usize = 5;
const IDLE: Duration = Duration::from_secs(5);
const READY_TIMEOUT: Duration = Duration::from_secs(60);
const RATIO_BUDGET: f64 = 1.25;
const SIZE_BUDGET: u64 = 15 * 1024 * 1024;

struct Sample {
    startup: Duration,
    pss_kib: u64,
}

/// The core's benchmarks: each measures its own baseline in the same run and
/// prints the ratio (`#[ignore]` tests, run in release).
const CORE_BENCHES: &[(&str, &str)] = &[
    (
        "inspect_bench",
        "`entrance inspect --json` on a 200-group token vs a plain JWT decode",
    ),
    ("login_bench", "callback → claims, key set cached vs cold"),
    (
        "diagnose_bench",
        "full diagnosis with latency L on every request vs the dependency chain × L",
    ),
];

pub fn bench(args: &[&str]) -> Result<()> {
    let (app, core) = match args {
        [] => (true, true),
        ["app"] => (true, false),
        ["core"] => (false, true),
        [unknown, ..] => {
            bail!("unknown option {unknown:?} (cargo xtask bench [app|core]; both by default)")
        }
    };
    if core {
        core_benches()?;
    }
    if app {
        app_bench()?;
    }
    Ok(())
}

fn core_benches() -> Result<()> {
    for (test, what) in CORE_BENCHES {
        step(&format!("Benchmark {test}: {what}"));
        util::run(util::cargo().args([
            "test",
            "--release",
            "--package",
            "entrance-core",
            "--test",
            test,
            "--",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ]))?;
    }
    Ok(())
}

fn app_bench() -> Result<()> {
    if !cfg!(target_os = "linux") {
        bail!("cargo xtask bench reads /proc and runs on Linux only");
    }
    setup::ensure(Purpose::Test)?;
    let app = build_app(true)?;
    step("Building the baseline: a bare Tauri v2 window (release)");
    util::run(util::cargo().args([
        "build",
        "--release",
        "--package",
        "entrance-app",
        "--example",
        "bare",
        "--features",
        "custom-protocol",
    ]))?;
    let bare = target_dir().join("release/examples/bare");

    let _display = Display::ensure()?;
    step(&format!(
        "Measuring {RUNS} alternating runs of each (start-up, then idle PSS after {} s)",
        IDLE.as_secs()
    ));
    let (mut base, mut ours) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        base.push(measure(&bare).with_context(|| format!("baseline run {}", i + 1))?);
        ours.push(measure(&app).with_context(|| format!("Entrance run {}", i + 1))?);
        eprintln!(
            "run {}: bare {:>6.1} ms {:>7.1} MB   entrance {:>6.1} ms {:>7.1} MB",
            i + 1,
            ms(base[i].startup),
            mb(base[i].pss_kib),
            ms(ours[i].startup),
            mb(ours[i].pss_kib)
        );
    }

    let (b_start, o_start) = (
        median(base.iter().map(|s| ms(s.startup))),
        median(ours.iter().map(|s| ms(s.startup))),
    );
    let (b_pss, o_pss) = (
        median(base.iter().map(|s| mb(s.pss_kib))),
        median(ours.iter().map(|s| mb(s.pss_kib))),
    );
    let size = std::fs::metadata(&app)?.len();
    let start_ratio = o_start / b_start;
    let pss_ratio = o_pss / b_pss;

    step("Result (medians)");
    println!(
        "{:<22} {:>12} {:>12} {:>8}",
        "", "bare Tauri", "Entrance", "ratio"
    );
    println!(
        "{:<22} {:>9.1} ms {:>9.1} ms {:>7.2}x",
        "exec → window loaded", b_start, o_start, start_ratio
    );
    println!(
        "{:<22} {:>9.1} MB {:>9.1} MB {:>7.2}x",
        "idle PSS after 5 s", b_pss, o_pss, pss_ratio
    );
    println!(
        "{:<22} {:>12} {:>9.1} MB",
        "release binary",
        "",
        size as f64 / 1024.0 / 1024.0
    );

    let report = serde_like_json(b_start, o_start, b_pss, o_pss, size);
    let out = target_dir().join("bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("app.json"), report)?;
    eprintln!("(written to {})", out.join("app.json").display());

    let mut over = Vec::new();
    if start_ratio > RATIO_BUDGET {
        over.push(format!(
            "start-up is {start_ratio:.2}x the baseline (budget {RATIO_BUDGET}x)"
        ));
    }
    if pss_ratio > RATIO_BUDGET {
        over.push(format!(
            "idle memory is {pss_ratio:.2}x the baseline (budget {RATIO_BUDGET}x)"
        ));
    }
    if size > SIZE_BUDGET {
        over.push(format!(
            "the release binary is {:.1} MB (budget 15 MB)",
            size as f64 / 1048576.0
        ));
    }
    if over.is_empty() {
        println!("within budget: start-up and idle memory ≤ {RATIO_BUDGET}x the bare window, binary ≤ 15 MB");
        Ok(())
    } else {
        bail!("over budget: {}", over.join("; "))
    }
}

/// One run: spawn, wait for the ready line, idle, read PSS, stop.
fn measure(binary: &Path) -> Result<Sample> {
    let start = Instant::now();
    let mut child = Command::new(binary)
        .env("ENTRANCE_REPORT_READY", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("entrance-bench: window ready") {
                let _ = tx.send(Instant::now());
            }
        }
    });
    let ready = match rx.recv_timeout(READY_TIMEOUT) {
        Ok(at) => at,
        Err(_) => {
            stop(&mut child);
            bail!(
                "{} did not show its window within {} s",
                binary.display(),
                READY_TIMEOUT.as_secs()
            );
        }
    };
    let startup = ready - start;
    std::thread::sleep(IDLE);
    let pss_kib = tree_pss_kib(child.id());
    stop(&mut child);
    Ok(Sample { startup, pss_kib })
}

fn stop(child: &mut Child) {
    let pids = descendants(child.id());
    let _ = child.kill();
    let _ = child.wait();
    for pid in pids {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
}

/// PSS (KiB) of `pid` and all its descendants.
fn tree_pss_kib(pid: u32) -> u64 {
    std::iter::once(pid)
        .chain(descendants(pid))
        .map(pss_kib)
        .sum()
}

fn pss_kib(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Every process below `root` in the process tree.
fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // The command name may contain spaces; fields after the last ')' are fixed.
            let Some(after) = stat.rsplit_once(')').map(|(_, a)| a) else {
                continue;
            };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found.remove(0);
    found
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn serde_like_json(b_start: f64, o_start: f64, b_pss: f64, o_pss: f64, size: u64) -> String {
    format!(
        "{{\"runs\":{RUNS},\"startup_ms\":{{\"bare\":{b_start:.1},\"entrance\":{o_start:.1},\"ratio\":{:.3}}},\
         \"idle_pss_mb\":{{\"bare\":{b_pss:.1},\"entrance\":{o_pss:.1},\"ratio\":{:.3}}},\"binary_bytes\":{size}}}\n",
        o_start / b_start,
        o_pss / b_pss
    )
}

/// A display to open windows on: the session's, or a private Xvfb.
struct Display(Option<Child>);

impl Display {
    fn ensure() -> Result<Self> {
        if std::env::var_os("DISPLAY").is_some() {
            return Ok(Self(None));
        }
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb (apt-get install xvfb)")?;
        let mut line = String::new();
        BufReader::new(xvfb.stdout.take().expect("piped")).read_line(&mut line)?;
        let n = line.trim();
        if n.is_empty() {
            let _ = xvfb.kill();
            bail!("Xvfb did not report a display number");
        }
        std::env::set_var("DISPLAY", format!(":{n}"));
        Ok(Self(Some(xvfb)))
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
