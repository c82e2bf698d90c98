//! `entrance explain` as an admin runs it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn entrance(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the entrance binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("entrance finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_of(o: &Output) -> Value {
    serde_json::from_str(stdout(o).trim()).expect("one JSON object")
}

#[test]
fn a_code_on_the_command_line_is_explained_with_cause_fix_and_blade() {
    let out = entrance(&["explain", "AADSTS50011:", "The", "redirect", "URI"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("AADSTS50011 — The redirect URI"), "{text}");
    assert!(
        text.contains("  cause  ")
            && text.contains("  fix    ")
            && text.contains("App registration → Authentication")
    );
    assert!(text.contains("https://login.microsoftonline.com/error?code=50011"));
}

#[test]
fn an_entra_json_error_body_on_stdin_gives_codes_and_the_typed_error() {
    let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2024-05-01 10:00:00Z","error_codes":[7000215],"timestamp":"2024-05-01 10:00:00Z","trace_id":"0000aaaa-11bb-cccc-dd33-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code=7000215"}"#;
    let out = entrance(&["explain", "--json"], body);
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    let code = &v["codes"][0];
    assert_eq!(code["code"], 7000215);
    for field in ["title", "cause", "fix"] {
        assert!(
            code[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field}"
        );
    }
    assert_eq!(
        code["links"][0],
        "https://login.microsoftonline.com/error?code=7000215"
    );
    assert_eq!(v["codes"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["error"]["error"], "invalid_client");
    assert_eq!(v["error"]["aadsts"], 7000215);
    assert_eq!(
        v["error"]["trace_id"],
        "0000aaaa-11bb-cccc-dd33-eeeeee333333"
    );
}

#[test]
fn a_redirect_url_and_ocr_text_are_read_too() {
    let url = "https://keep.contoso.com/api/auth/callback/microsoft-entra-id?error=invalid_request&error_description=AADSTS9002327%3a+Tokens+issued+for+the+%27Single-Page+Application%27+client-type+may+only+be+redeemed+via+cross-origin+requests.&state=abc";
    let out = entrance(&["explain", "-", "--json"], url);
    assert_eq!(json_of(&out)["codes"][0]["code"], 9002327);
    let ocr = entrance(&["explain", "--json"], "Sorry, but we're having trouble\nsigning you in.\n\nAADSTS 50105: Your administrator has configured");
    assert_eq!(json_of(&ocr)["codes"][0]["code"], 50105);
}

#[test]
fn an_unknown_code_is_listed_with_its_lookup_link() {
    let out = entrance(&["explain", "--json", "AADSTS1234567"], "");
    assert_eq!(out.status.code(), Some(0));
    let code = &json_of(&out)["codes"][0];
    assert_eq!(code["known"], false);
    assert_eq!(
        code["links"][0],
        "https://login.microsoftonline.com/error?code=1234567"
    );
}

#[test]
fn text_without_a_code_exits_1() {
    let out = entrance(&["explain", "--json"], "the sign-in did not work");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["codes"], serde_json::json!([]));
    let human = entrance(&["explain", "nothing", "here"], "");
    assert_eq!(human.status.code(), Some(1));
    assert!(stdout(&human).contains("No AADSTS code found"));
}

/// Every code of the catalog, recognized from each form Entra shows it in —
/// each form one input holding all of them — with its cause, fix and links.
#[test]
fn every_catalog_code_is_explained_from_the_message_a_redirect_url_and_a_json_body() {
    use entrance_core::aadsts::CATALOG;

    let expected: Vec<u64> = CATALOG.iter().map(|e| u64::from(e.code)).collect();
    // (a) Entra's own message form, as a log line shows it.
    let messages: Vec<String> = CATALOG
        .iter()
        .map(|e| format!("AADSTS{}: {}", e.code, e.title))
        .collect();
    // (b) The redirect back to the product, description percent-encoded.
    let urls: Vec<String> = CATALOG
        .iter()
        .map(|e| {
            let description = format!(
                "AADSTS{}: {}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333",
                e.code, e.title
            );
            reqwest::Url::parse_with_params(
                "https://grafana.example.com/login/azuread",
                &[
                    ("error", "invalid_request"),
                    ("error_description", description.as_str()),
                    ("state", "abc"),
                ],
            )
            .expect("a URL")
            .to_string()
        })
        .collect();
    assert!(urls[0].contains("error_description=AADSTS"));
    assert!(!urls[0].contains(' '), "percent-encoded: {}", urls[0]);
    // (c) A token endpoint's JSON error body: the codes only in `error_codes`.
    let body = serde_json::json!({
        "error": "invalid_request",
        "error_description": "See error_codes.",
        "error_codes": expected,
        "timestamp": "2024-05-01 10:00:00Z",
    })
    .to_string();

    for (form, input) in [
        ("message", messages.join("\n")),
        ("redirect URL", urls.join("\n")),
        ("JSON body", body),
    ] {
        let out = entrance(&["explain", "--json"], &input);
        assert_eq!(out.status.code(), Some(0), "{form}");
        let v = json_of(&out);
        let codes = v["codes"].as_array().expect("codes");
        let found: Vec<u64> = codes.iter().filter_map(|c| c["code"].as_u64()).collect();
        assert_eq!(found, expected, "{form}: every code, in order, once");
        for (code, entry) in codes.iter().zip(CATALOG) {
            assert_eq!(code["known"], true, "{form}: {code}");
            assert_eq!(code["title"], entry.title, "{form}");
            // The callback URL an error came back to is the redirect URI
            // that was used: the cause may lead with it, the fix name it.
            assert!(
                code["cause"]
                    .as_str()
                    .is_some_and(|c| c.ends_with(entry.cause)),
                "{form}: {code}"
            );
            let fix = code["fix"].as_str().unwrap_or_default();
            assert!(
                fix == entry.fix || (form == "redirect URL" && fix.contains("grafana.example.com")),
                "{form}: {code}"
            );
            assert_eq!(
                code["links"][0],
                format!(
                    "https://login.microsoftonline.com/error?code={}",
                    entry.code
                ),
                "{form}"
            );
        }
    }
}

/// The text authentik users pasted into goauthentik/authentik #11746: the
/// code, a cause naming the `groups` scope, a fix, and authentik's own note.
#[test]
fn authentiks_groups_scope_error_is_explained_with_cause_fix_and_its_note() {
    let text = "Authentication failed: AADSTS65005: The application 'Authentik' asked for scope 'groups' that doesn't exist on the resource '00000003-0000-0000-c000-000000000000'. Contact the app vendor. Trace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333 Correlation ID: aaaa0000-bb11-2222-33cc-444444dddddd Timestamp: 2025-02-18 18:42:31Z";
    let out = entrance(
        &[
            "explain",
            "--target",
            "authentik",
            "--scope",
            "openid profile email groups",
        ],
        text,
    );
    assert_eq!(out.status.code(), Some(0));
    let human = stdout(&out);
    assert!(human.starts_with("AADSTS65005 — "), "{human}");
    assert!(
        human.contains("`groups` is not a permission of Microsoft Graph"),
        "{human}"
    );
    assert!(
        human.contains("Ask for `openid profile email` instead"),
        "{human}"
    );
    assert!(
        human.contains("Token configuration → Add groups claim"),
        "{human}"
    );
    assert!(human.contains("  authentik: "), "{human}");
    assert!(
        !human.contains("  grafana: "),
        "only the target's note: {human}"
    );
    assert!(human.contains("  cli    az ad app permission"), "{human}");
    assert!(!human.contains("not in Entrance's catalog"));

    // The same error as 650053, the code Entra sends for an unknown scope.
    let v = json_of(&entrance(
        &["explain", "--json", "--target", "authentik"],
        &text.replace("AADSTS65005", "AADSTS650053"),
    ));
    let code = &v["codes"][0];
    assert_eq!(code["code"], 650053);
    assert_eq!(code["targeted"], true);
    assert!(code["cause"].as_str().is_some_and(|c| c.contains("groups")));
    assert_eq!(code["products"][0]["product"], "authentik");
}

/// The sandbox's answer to an SPA redirect without PKCE, as the product's
/// callback receives it: the cause, the fix and the callback named.
#[test]
fn a_spa_redirect_without_pkce_is_explained_from_the_callback_url() {
    let url = "https://om.contoso.com/callback?error=invalid_request&error_description=AADSTS9002325%3a+Proof+Key+for+Code+Exchange+is+required+for+cross-origin+authorization+code+redemption.%0d%0aTrace+ID%3a+0000aaaa-11bb-cccc-dd33-eeeeee333333&state=abc";
    let out = entrance(&["explain", "--platform", "Single-page application"], url);
    assert_eq!(out.status.code(), Some(0));
    let human = stdout(&out);
    assert!(
        human.starts_with("AADSTS9002325 — PKCE is required"),
        "{human}"
    );
    assert!(
        human.contains(
            "`https://om.contoso.com/callback` is registered under Single-page application"
        ),
        "{human}"
    );
    assert!(human.contains("turn PKCE (S256) on"), "{human}");
    assert!(human.contains("error: invalid_request"), "{human}");
}

/// Every code of the recorded Microsoft table, in one pasted log: each is
/// known, with its meaning and its lookup link — never "not in the catalog".
#[test]
fn every_code_of_microsofts_table_gets_its_meaning_and_lookup_link() {
    use entrance_core::aadsts::reference;

    let table = reference();
    assert!(table.len() >= 340);
    let log: String = table
        .iter()
        .map(|r| format!("2025-01-01T00:00:00Z sign-in failed: AADSTS{}: …\n", r.code))
        .collect();
    let v = json_of(&entrance(&["explain", "--json"], &log));
    let codes = v["codes"].as_array().expect("codes");
    assert_eq!(codes.len(), table.len());
    for (row, code) in table.iter().zip(codes) {
        assert_eq!(code["code"], row.code);
        assert_eq!(code["known"], true, "AADSTS{}", row.code);
        let title = code["title"].as_str().unwrap_or_default();
        assert!(
            !title.is_empty() && !title.contains("Not in"),
            "AADSTS{}",
            row.code
        );
        assert_eq!(
            code["links"][0],
            format!("https://login.microsoftonline.com/error?code={}", row.code)
        );
        if let Some(error) = row.error {
            assert_eq!(code["error"], error, "AADSTS{}", row.code);
        }
    }
    let human = stdout(&entrance(&["explain"], &log));
    assert!(!human.contains("Not in Entrance's catalog"));
}

/// Every code the sandbox tenant can send gets a targeted cause and fix.
#[test]
fn every_code_the_sandbox_can_send_gets_a_targeted_cause_and_fix() {
    let sent = entrance_sandbox::errors::CATALOG;
    let log: String = sent
        .iter()
        .map(|a| format!("AADSTS{}: sandbox\n", a.code))
        .collect();
    let v = json_of(&entrance(&["explain", "--json"], &log));
    let codes = v["codes"].as_array().expect("codes");
    assert_eq!(codes.len(), sent.len());
    for code in codes {
        assert_eq!(code["targeted"], true, "{code}");
        for field in ["cause", "fix", "cli"] {
            assert!(
                code[field].as_str().is_some_and(|s| s.len() > 10),
                "{field} of {code}"
            );
        }
    }
}

/// A record of the sign-in logs (Graph's `signIn`, as the portal downloads
/// it): the failure's code explained, with the app's client ID named.
#[test]
fn a_sign_in_log_record_is_explained() {
    let record = r#"{"id":"66ea54eb","createdDateTime":"2026-12-01T10:00:00Z","userPrincipalName":"ada@contoso.com","appId":"c0ffee00-0000-4000-8000-00000000000f","appDisplayName":"Grafana","status":{"errorCode": 53003,"failureReason":"Access has been blocked by Conditional Access policies.","additionalDetails":null},"conditionalAccessStatus":"failure"}"#;
    let v = json_of(&entrance(&["explain", "--json"], record));
    let code = &v["codes"][0];
    assert_eq!(code["code"], 53003);
    assert_eq!(code["targeted"], true);
    assert!(code["fix"]
        .as_str()
        .is_some_and(|f| f.contains("Conditional Access")));
    let lost = json_of(&entrance(
        &["explain", "--json"],
        &record.replace("53003", "700016"),
    ));
    assert!(lost["codes"][0]["cause"]
        .as_str()
        .is_some_and(|c| c.contains("`c0ffee00-0000-4000-8000-00000000000f`")));
}

/// An expired secret saved in the keychain: the explanation names its end
/// date and the three characters the portal shows, never the value.
/// Runs against the real keychain (`ENTRANCE_TEST_KEYRING=1`, as `cargo
/// xtask test` sets).
#[test]
fn an_expired_saved_secret_is_named_by_its_end_date_and_hint() {
    if std::env::var_os("ENTRANCE_TEST_KEYRING").is_none() {
        eprintln!("skipped: set ENTRANCE_TEST_KEYRING=1 (cargo xtask test does) to test against the real keychain");
        return;
    }
    const VALUE: &str = "Qx7~explain-test-value-not-for-output";
    let config = std::env::temp_dir().join(format!("entrance-explain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&config);
    std::fs::create_dir_all(&config).expect("config dir");
    let name = format!("explain-test-{}", std::process::id());
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_entrance"))
            .args(args)
            .env("ENTRANCE_CONFIG_DIR", &config)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("entrance runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("stdin written");
        child.wait_with_output().expect("entrance finishes")
    };
    let set = run(&["secret", "set", &name, "--expires", "2026-05-31"], VALUE);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let out = run(
        &["explain", "--secret-name", &name],
        "AADSTS7000222: The provided client secret keys for app 'c0ffee00-0000-4000-8000-000000000001' are expired.",
    );
    let _ = run(&["secret", "delete", &name], "");
    let _ = std::fs::remove_dir_all(&config);
    let human = stdout(&out);
    assert!(
        human.contains("The secret starting with `Qx7` ended on 2026-05-31."),
        "{human}"
    );
    assert!(
        human.contains("delete the one that ended on 2026-05-31"),
        "{human}"
    );
    assert!(!human.contains(VALUE));
}

#[test]
fn an_unknown_product_is_refused_with_the_known_ones() {
    let out = entrance(
        &["explain", "--json", "--target", "grafanna", "AADSTS50194"],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    let v = json_of(&out);
    assert_eq!(v["error"]["code"], "input.invalid");
    assert!(v["error"]["fix"]
        .as_str()
        .is_some_and(|f| f.contains("grafana") && f.contains("authentik")));
}
