//! The clock check: the authority's `Date` header (kept by the HTTP check)
//! against this machine's clock when the answer arrived.
//!
//! Tokens carry `iat`, `nbf` and `exp` in Unix seconds, checked against the
//! local clock with some skew allowed (docs/entra.md#claims). Entrance allows 5
//! minutes ([`crate::login::CLOCK_SKEW`]), as Microsoft's token libraries do
//! by default (`TokenValidationParameters.DefaultClockSkew`: 300 seconds,
//! [`SKEW_DOC`]): beyond that, fresh tokens look not yet valid or expired.

use super::context::Context;
use super::runner::Outcome;
use super::{DiagnoseCode, DiagnoseFinding};
use crate::findings::Severity;

/// Microsoft's documentation of the 5-minute default.
pub(super) const SKEW_DOC: &str = "https://learn.microsoft.com/dotnet/api/microsoft.identitymodel.tokens.tokenvalidationparameters.defaultclockskew";

/// Beyond this, tokens fail their time checks (seconds).
pub(super) const SKEW_LIMIT: i64 = crate::login::CLOCK_SKEW.as_secs() as i64;
/// Beyond this, the clock is drifting (seconds); the `Date` header has a
/// one-second resolution and the answer takes time to arrive.
pub(super) const DRIFT_LIMIT: i64 = 60;

/// How far off the clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Grade {
    InSync,
    Drift,
    Skew,
}

/// Grades an offset (server minus local, seconds).
pub(super) fn grade(offset: i64) -> Grade {
    match offset.unsigned_abs() {
        d if d > SKEW_LIMIT.unsigned_abs() => Grade::Skew,
        d if d > DRIFT_LIMIT.unsigned_abs() => Grade::Drift,
        _ => Grade::InSync,
    }
}

/// `10 min 5 s`, `42 s`, `2 h 3 min`.
pub(super) fn duration_words(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) if h >= 48 => format!("{} days", h / 24),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// "5 min behind" (the server is ahead) or "5 min ahead of".
fn direction(offset: i64) -> (&'static str, String) {
    let words = duration_words(offset.unsigned_abs());
    if offset > 0 {
        ("behind", words)
    } else {
        ("ahead of", words)
    }
}

fn ntp_fix() -> &'static str {
    if cfg!(target_os = "macos") {
        "Turn on time synchronisation: System Settings → General → Date & Time → Set time and date automatically (or `sudo sntp -sS time.apple.com`)."
    } else if cfg!(windows) {
        "Turn on time synchronisation: Settings → Time & language → Set time automatically, then `w32tm /resync` in an administrator prompt."
    } else {
        "Turn on time synchronisation: `timedatectl set-ntp true` (systemd-timesyncd) or install chrony (`chronyc makestep` corrects a large offset at once); `timedatectl status` should then say “System clock synchronized: yes”. On a virtual machine, also enable the hypervisor's time sync."
    }
}

fn stamp(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
    ))
    .unwrap_or_default()
}

pub(super) async fn run(cx: &Context) -> Outcome {
    let host = cx
        .authority
        .url()
        .host_str()
        .unwrap_or("the server")
        .to_string();
    let Some((server, local)) = cx.facts().server_date else {
        let f = DiagnoseFinding::new(
            DiagnoseCode::ClockNoDate,
            Severity::Warning,
            format!("{host} sent no usable Date header: the clock could not be compared."),
            format!(
                "Check the clock against a time source another way. {}",
                ntp_fix()
            ),
        );
        return Outcome::warning(f.message.clone(), f);
    };
    let server = server.to_offset(time::UtcOffset::UTC);
    let local = local.to_offset(time::UtcOffset::UTC);
    let offset = (server - local).whole_seconds();
    let signed = if offset >= 0 {
        format!("+{offset} s")
    } else {
        format!("{offset} s")
    };
    let (dir, words) = direction(offset);
    let mut out = match grade(offset) {
        Grade::InSync => Outcome::passed(format!(
            "This machine's clock agrees with {host}'s (offset {signed})."
        )),
        Grade::Drift => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::ClockDrift,
                Severity::Warning,
                format!(
                    "This machine's clock is {words} {dir} {host}'s: within the 5 minutes tokens tolerate, but drifting."
                ),
                ntp_fix(),
            );
            Outcome::warning(f.message.clone(), f)
        }
        Grade::Skew => {
            let f = DiagnoseFinding::new(
                DiagnoseCode::ClockSkew,
                Severity::Error,
                if offset > 0 {
                    format!(
                        "This machine's clock is {words} {dir} {host}'s: tokens issued now carry times (nbf, iat) in this machine's future, beyond the 5 minutes of tolerance, so they are refused as not yet valid."
                    )
                } else {
                    format!(
                        "This machine's clock is {words} {dir} {host}'s: tokens issued now look {words} old here, beyond the 5 minutes of tolerance, so they expire early (exp) and checks of their issue time fail."
                    )
                },
                ntp_fix(),
            )
            .with_link(
                "Microsoft: the default clock skew of token validation (5 minutes)",
                SKEW_DOC,
            );
            Outcome::failed(f.message.clone(), f)
        }
    };
    out = out
        .detail("Server date", stamp(server))
        .detail("Local time", stamp(local))
        .detail("Offset", format!("{signed} (server minus local)"))
        .detail(
            "Tolerance",
            format!("{} (tokens)", duration_words(SKEW_LIMIT.unsigned_abs())),
        );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_grade_at_one_and_five_minutes() {
        assert_eq!(grade(0), Grade::InSync);
        assert_eq!(grade(-60), Grade::InSync);
        assert_eq!(grade(61), Grade::Drift);
        assert_eq!(grade(-300), Grade::Drift);
        assert_eq!(grade(301), Grade::Skew);
        assert_eq!(grade(-600), Grade::Skew);
        assert_eq!(SKEW_LIMIT, 300, "Entrance's token checks allow 5 minutes");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_words(42), "42 s");
        assert_eq!(duration_words(600), "10 min");
        assert_eq!(duration_words(605), "10 min 5 s");
        assert_eq!(duration_words(7380), "2 h 3 min");
        assert_eq!(duration_words(3 * 86_400), "3 days");
    }

    #[test]
    fn a_server_ahead_means_the_local_clock_is_behind() {
        assert_eq!(direction(600).0, "behind");
        assert_eq!(direction(-600).0, "ahead of");
    }
}
