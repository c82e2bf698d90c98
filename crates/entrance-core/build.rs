//! Records build information (commit, profile, target, compiler) for the About
//! panel and `entrance --version`. Every value degrades to "unknown" outside a
//! git checkout or without a `rustc` on the PATH.
use std::process::Command;

fn main() {
    let commit =
        run("git", &["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = run(&rustc, &["--version"]).unwrap_or_else(|| "unknown".into());

    println!("cargo:rustc-env=ENTRANCE_GIT_COMMIT={commit}");
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
