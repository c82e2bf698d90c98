//! Every code of Microsoft's AADSTS reference table, so that no documented
//! code is ever "unknown": its OAuth `error` value where one is documented,
//! its meaning in one sentence of Entrance's own words, and (through
//! [`super::lookup_url`]) Entra's lookup page.
//!
//! The data is `reference.tsv` beside this file, one code per line; the
//! revision of Microsoft's table it was made from, and how to bring it up to
//! date, are in `docs/aadsts.md#microsofts-reference-table`.

use std::sync::OnceLock;

use serde::Serialize;

/// The revision of Microsoft's table `reference.tsv` was made from: the
/// MicrosoftDocs/entra-docs commit of its page
/// `identity-platform/reference-error-codes.md` and the page's `ms.date`.
pub const REFERENCE_REVISION: &str =
    "MicrosoftDocs/entra-docs@3164b3b5d031edef0ad334ba09d3ea6dcb619c1a (ms.date 2025-02-03)";

/// Where the table's pages are read.
pub const REFERENCE_SOURCE: &str = "docs/aadsts.md#microsofts-reference-table";

const DATA: &str = include_str!("reference.tsv");

/// One code of Microsoft's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReferenceCode {
    /// The number after `AADSTS`.
    pub code: u32,
    /// The OAuth `error` value Entra sends with it, where documented.
    pub error: Option<&'static str>,
    /// What it means, in one sentence.
    pub meaning: &'static str,
}

/// A line of the data that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("reference.tsv line {line}: {reason}")]
pub struct ReferenceParseError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Reads the table: `code <TAB> error-or-"-" <TAB> meaning` per line; `#`
/// lines and blank lines are comments. Rows come back sorted by code.
pub fn parse(text: &'static str) -> Result<Vec<ReferenceCode>, ReferenceParseError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(code), Some(error), Some(meaning), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(ReferenceParseError {
                line: line_no,
                reason: "expected three tab-separated fields",
            });
        };
        let code = code
            .trim()
            .parse::<u32>()
            .map_err(|_| ReferenceParseError {
                line: line_no,
                reason: "the code is not a number",
            })?;
        let error = match error.trim() {
            "-" => None,
            e if !e.is_empty() && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => Some(e),
            _ => {
                return Err(ReferenceParseError {
                    line: line_no,
                    reason: "the error value must be `-` or a lower-case OAuth error",
                })
            }
        };
        let meaning = meaning.trim();
        if meaning.is_empty() {
            return Err(ReferenceParseError {
                line: line_no,
                reason: "the meaning is empty",
            });
        }
        rows.push(ReferenceCode {
            code,
            error,
            meaning,
        });
    }
    rows.sort_by_key(|r| r.code);
    if let Some(pair) = rows.windows(2).find(|w| w[0].code == w[1].code) {
        let code = pair[0].code;
        let line = text
            .lines()
            .position(|l| l.starts_with(&format!("{code}\t")))
            .map_or(0, |p| p + 1);
        return Err(ReferenceParseError {
            line,
            reason: "a code appears twice",
        });
    }
    Ok(rows)
}

/// Every code of the recorded table, sorted by code.
pub fn reference() -> &'static [ReferenceCode] {
    static TABLE: OnceLock<Vec<ReferenceCode>> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA).unwrap_or_default())
}

/// The table's row for a code.
pub fn reference_lookup(code: u32) -> Option<&'static ReferenceCode> {
    let table = reference();
    table
        .binary_search_by_key(&code, |r| r.code)
        .ok()
        .and_then(|i| table.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_table_parses_completely() {
        let rows = parse(DATA).expect("reference.tsv parses");
        let lines = DATA
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(rows.len(), lines);
        assert_eq!(reference().len(), rows.len());
        assert!(rows.len() >= 340, "{} codes", rows.len());
    }

    #[test]
    fn meanings_are_one_plain_sentence_each() {
        for r in reference() {
            assert!(r.meaning.ends_with('.'), "AADSTS{}", r.code);
            assert!(
                !r.meaning.contains('§') && !r.meaning.contains("[ERR]"),
                "AADSTS{}",
                r.code
            );
            assert!(
                (4..=8).contains(&r.code.to_string().len()),
                "AADSTS{}",
                r.code
            );
        }
    }

    #[test]
    fn broken_lines_are_reported_with_their_number() {
        assert_eq!(
            parse("# c\n50011\tinvalid_request\n").map_err(|e| e.line),
            Err(2)
        );
        assert_eq!(parse("x\t-\tm.\n").map_err(|e| e.line), Err(1));
        assert_eq!(parse("1\tNot An Error\tm.\n").map_err(|e| e.line), Err(1));
        assert_eq!(parse("1\t-\t \n").map_err(|e| e.line), Err(1));
        assert_eq!(
            parse("1\t-\ta.\n2\t-\tb.\n1\t-\tc.\n").map_err(|e| e.reason),
            Err("a code appears twice")
        );
        assert_eq!(
            parse("2\t-\tb.\n1\tinvalid_grant\ta.\n")
                .map(|r| r.iter().map(|c| c.code).collect::<Vec<_>>()),
            Ok(vec![1, 2])
        );
    }
}
