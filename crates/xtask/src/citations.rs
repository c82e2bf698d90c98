//! Every citation in the code resolves inside the repository.
//!
//! Code cites its sources as `docs/<page>.md#<anchor>` (see `docs/README.md`).
//! The test below reads every source file (`.rs`, `.ts`, `.svelte`, `.toml`)
//! under `crates/`, `src-tauri/`, `ui/src/` and `tests/` and fails, naming
//! file, line and citation, when
//! - a cited page does not exist, or has no heading whose GitHub-style slug is
//!   the anchor;
//! - an old citation form remains: the reference notes and product guides
//!   that used to live outside the repository, or a bare section sign with a
//!   capital letter (the old sections of those notes);
//! - a citation points outside the repository (a `shared/` folder).
//!
//! Files under `crates/entrance-core/src/aadsts/` cite `docs/aadsts.md`; until
//! that page exists, their old citations (and the copies of their doc
//! comments in the generated `ui/src/lib/bindings.ts`) are listed but do not
//! fail.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

const ROOTS: &[&str] = &["crates", "src-tauri", "ui/src", "tests"];
const EXTS: &[&str] = &["rs", "ts", "svelte", "toml"];
const SKIP_DIRS: &[&str] = &["target", "node_modules", "dist", ".svelte-kit"];
/// This file names the old forms it looks for.
const SELF: &str = "crates/xtask/src/citations.rs";
/// Old citations tolerated until `docs/aadsts.md` exists: the AADSTS
/// catalog, and the bindings generated from its doc comments.
const PENDING_AADSTS: &[&str] = &["crates/entrance-core/src/aadsts/", "ui/src/lib/bindings.ts"];
const AADSTS_PAGE: &str = "docs/aadsts.md";

/// A `docs/…` citation found on a line.
#[derive(Debug, PartialEq, Eq)]
pub struct Citation {
    pub page: String,
    pub anchor: Option<String>,
}

/// The slug GitHub gives a heading: lower case, spaces to `-`, every
/// character other than letters, digits, `-` and `_` dropped.
pub fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown page's headings (outside code fences), with
/// GitHub's `-1`, `-2` suffixes for repeated headings.
pub fn anchors(markdown: &str) -> HashSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = HashSet::new();
    let mut fence = false;
    for line in markdown.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence || !t.starts_with('#') {
            continue;
        }
        let text = t.trim_start_matches('#');
        if !(text.is_empty() || text.starts_with(' ')) || t.len() - text.len() > 6 {
            continue;
        }
        let base = slug(&text.replace('`', ""));
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.')
}

/// The `docs/…md[#anchor]` citations on a line.
pub fn citations(line: &str) -> Vec<Citation> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = line[from..].find("docs/").map(|i| i + from) {
        from = i + 5;
        if line[..i].chars().next_back().is_some_and(path_char) {
            continue; // part of another path (…/docs/…)
        }
        let rest = &line[i..];
        let end = rest.find(|c: char| !path_char(c)).unwrap_or(rest.len());
        let Some(md) = rest[..end].find(".md").map(|m| m + 3) else {
            continue;
        };
        let page = rest[..md].to_string();
        let anchor = rest[md..].strip_prefix('#').map(|a| {
            a.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                .collect::<String>()
        });
        out.push(Citation {
            page,
            anchor: anchor.filter(|a| !a.is_empty()),
        });
    }
    out
}

/// Old citation forms on a line, as the text that matched.
pub fn old_forms(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let facts = concat!("entra", "-facts");
    if line.contains(facts) {
        out.push(facts.to_string());
    }
    for (i, _) in line.match_indices("seeds/") {
        if line[i + 6..].starts_with(|c: char| c.is_ascii_digit()) {
            out.push(line[i..].chars().take(9).collect());
        }
    }
    for (i, _) in line.match_indices("shared/") {
        out.push(line[i..].chars().take_while(|c| path_char(*c)).collect());
    }
    let toolchain = concat!("toolchain", ".md");
    for (i, _) in line.match_indices(toolchain) {
        if !line[..i].ends_with("docs/") {
            out.push(toolchain.into());
        }
    }
    let chars: Vec<char> = line.chars().collect();
    for w in chars.windows(3) {
        if w[0] == '§' && ('A'..='K').contains(&w[1]) && !w[2].is_alphanumeric() {
            out.push(format!("§{}", w[1]));
        }
    }
    if let [.., '§', l] = chars[..] {
        if ('A'..='K').contains(&l) {
            out.push(format!("§{l}"));
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_str()) {
                walk(&p, files);
            }
        } else if p
            .extension()
            .is_some_and(|x| EXTS.contains(&x.to_string_lossy().as_ref()))
        {
            files.push(p);
        }
    }
}

/// The source files to check, relative to `root`: git's tracked files when
/// `root` is a work tree, else a walk that skips build output.
pub fn source_files(root: &Path) -> Vec<String> {
    let tracked = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "-z", "--"])
        .args(ROOTS)
        .output()
        .ok()
        .filter(|o| o.status.success() && !o.stdout.is_empty());
    let mut files: Vec<String> = match tracked {
        Some(o) => String::from_utf8_lossy(&o.stdout)
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        None => {
            let mut found = Vec::new();
            for r in ROOTS {
                walk(&root.join(r), &mut found);
            }
            found
                .iter()
                .filter_map(|p| p.strip_prefix(root).ok())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .collect()
        }
    };
    files.retain(|f| {
        Path::new(f)
            .extension()
            .is_some_and(|x| EXTS.contains(&x.to_string_lossy().as_ref()))
    });
    files.sort();
    files
}

/// What the check found: failures (file:line: problem) and notes.
#[derive(Debug, Default)]
pub struct Report {
    pub failures: Vec<String>,
    pub notes: Vec<String>,
    pub citations: usize,
}

/// Checks every citation under `root`.
pub fn check(root: &Path) -> Report {
    let mut report = Report::default();
    let mut pages: BTreeMap<String, Option<HashSet<String>>> = BTreeMap::new();
    let aadsts_page = root.join(AADSTS_PAGE).is_file();
    for file in source_files(root) {
        if file == SELF {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let at = format!("{file}:{}", n + 1);
            for c in citations(line) {
                report.citations += 1;
                let known = pages.entry(c.page.clone()).or_insert_with(|| {
                    std::fs::read_to_string(root.join(&c.page))
                        .ok()
                        .map(|md| anchors(&md))
                });
                let shown = match &c.anchor {
                    Some(a) => format!("{}#{a}", c.page),
                    None => c.page.clone(),
                };
                match (known, &c.anchor) {
                    (None, _) => report
                        .failures
                        .push(format!("{at}: `{shown}`: {} does not exist", c.page)),
                    (Some(heads), Some(a)) if !heads.contains(a) => report.failures.push(format!(
                        "{at}: `{shown}`: {} has no heading with the anchor #{a}",
                        c.page
                    )),
                    _ => {}
                }
            }
            for old in old_forms(line) {
                let problem =
                    format!("{at}: `{old}`: cite a heading of docs/ instead (docs/README.md)");
                if !aadsts_page && PENDING_AADSTS.iter().any(|p| file.starts_with(p)) {
                    report
                        .notes
                        .push(format!("{problem} — tolerated until {AADSTS_PAGE} exists"));
                } else {
                    report.failures.push(problem);
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_citation_in_the_code_resolves_inside_the_repository() {
        let report = check(&crate::util::root());
        for n in &report.notes {
            eprintln!("note: {n}");
        }
        assert!(
            report.citations > 0,
            "no docs/ citation found: is the root right?"
        );
        assert!(
            report.failures.is_empty(),
            "{} citation(s) do not resolve:\n{}",
            report.failures.len(),
            report.failures.join("\n")
        );
    }

    #[test]
    fn slugs_are_githubs() {
        assert_eq!(
            slug("Token versions and issuers"),
            "token-versions-and-issuers"
        );
        assert_eq!(slug("client_info"), "client_info");
        assert_eq!(
            slug("App manifest (Azure AD Graph format)"),
            "app-manifest-azure-ad-graph-format"
        );
        assert_eq!(slug("What it needs from Entra"), "what-it-needs-from-entra");
        let md = "# Title\n## Errors\n```\n# not a heading\n```\n## Errors\n#hashtag\n";
        let a = anchors(md);
        assert!(a.contains("title") && a.contains("errors") && a.contains("errors-1"));
        assert!(!a.contains("not-a-heading") && !a.contains("hashtag"));
    }

    #[test]
    fn citations_are_found_with_and_without_anchors() {
        let d = "docs";
        let line =
            format!("// see ({d}/entra.md#groups-overage, {d}/products/keep.md) and ui/{d}/x.md");
        assert_eq!(
            citations(&line),
            vec![
                Citation {
                    page: format!("{d}/entra.md"),
                    anchor: Some("groups-overage".into())
                },
                Citation {
                    page: format!("{d}/products/keep.md"),
                    anchor: None
                },
            ]
        );
    }

    #[test]
    fn old_forms_are_reported() {
        let facts = concat!("entra", "-facts");
        // The section sign is built, so this file holds no old form itself.
        let sec = |l: char| format!("\u{a7}{l}");
        assert_eq!(
            old_forms(&format!("({facts} {})", sec('C'))),
            vec![facts.to_string(), sec('C')]
        );
        let seed = format!("seeds/{}", "002");
        assert_eq!(old_forms(&format!("{seed} (Grafana)")), vec![seed.clone()]);
        assert_eq!(
            old_forms(&format!("/work/{}/reference/x.md", "shared")),
            vec![format!("{}/reference/x.md", "shared")]
        );
        let toolchain = concat!("toolchain", ".md");
        assert_eq!(old_forms(toolchain), vec![toolchain.to_string()]);
        assert!(old_forms(&format!("docs/{toolchain}#traps")).is_empty());
        assert!(old_forms("RFC 8252 §7.3, OIDC Core §3.1.3.7, RFC 7519 §4.1.1").is_empty());
        assert_eq!(old_forms(&format!("({})", sec('H'))), vec![sec('H')]);
        assert_eq!(old_forms(&format!("ends in {}", sec('H'))), vec![sec('H')]);
    }

    #[test]
    fn a_broken_citation_names_file_line_and_citation() {
        let dir = std::env::temp_dir().join(format!("entrance-citations-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::create_dir_all(dir.join("crates/a/src")).unwrap();
        std::fs::write(dir.join("docs/entra.md"), "# Entra\n## Claims\n").unwrap();
        let d = "docs";
        std::fs::write(
            dir.join("crates/a/src/lib.rs"),
            format!("// ok {d}/entra.md#claims\n// bad {d}/entra.md#nope\n// gone {d}/gone.md#x\n"),
        )
        .unwrap();
        let report = check(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(report.citations, 3);
        assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
        assert!(report.failures[0].starts_with("crates/a/src/lib.rs:2: `docs/entra.md#nope`"));
        assert!(report.failures[1].starts_with("crates/a/src/lib.rs:3: `docs/gone.md#x`"));
    }
}
