//! Records build information (commit, build date, profile, target, compiler) for the About
//! panel and `entrance --version`. Every value degrades to "unknown" outside a
//! git checkout or without a `rustc` on the PATH.
use std::process::Command;

fn main() {
    let commit =
        run("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = run(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());

    println!("cargo:rustc-env=ENTRANCE_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=ENTRANCE_BUILD_DATE={}", build_date());
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rustc-env=ENTRANCE_RUSTC_VERSION={rustc_version}");
    println!(
        "cargo:rustc-env=ENTRANCE_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=ENTRANCE_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_default()
    );
    // Rebuild when a commit is made (HEAD or the branch it points to moves),
    // not on every `git add`.
    if let Some(git_dir) = run("git", &["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        // A directory is scanned as a whole: any branch moving is seen, and
        // so is the first commit of a new repository.
        println!("cargo:rerun-if-changed={git_dir}/refs/heads");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

fn run(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Today in UTC as `YYYY-MM-DD`, or the day of `SOURCE_DATE_EPOCH` when set
/// (reproducible builds). Civil date from days since 1970-01-01 (the
/// proleptic Gregorian calendar, Howard Hinnant's algorithm).
fn build_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
