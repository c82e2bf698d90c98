//! Server-rendered pages: plain HTML with stable element IDs, no script
//! (except Entra's own `form_post` auto-submit), usable by a person and by a
//! headless browser.

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A complete page around `body` (already escaped where needed).
pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; margin: 0; }}
main {{ background: #fff; max-width: 440px; margin: 6vh auto; padding: 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }}
.banner {{ font-size: 13px; color: #605e5c; margin-bottom: 16px; }}
h1 {{ font-size: 24px; font-weight: 600; margin: 0 0 16px; }}
label {{ display: block; margin: 12px 0 4px; }}
select, input[type=password], input[type=text] {{ width: 100%; padding: 6px; font-size: 15px; box-sizing: border-box; }}
button {{ margin-top: 20px; padding: 8px 24px; font-size: 15px; background: #0067b8; color: #fff; border: 0; }}
button.secondary {{ background: #ccc; color: #000; }}
#error {{ color: #e81123; }}
.trace {{ font-size: 12px; color: #605e5c; }}
.user {{ display: block; margin: 6px 0; }}
</style>
</head>
<body>
<main>
<div class="banner">Entrance sandbox tenant — not Microsoft Entra ID</div>
{body}
</main>
</body>
</html>
"#,
        title = escape(title),
        body = body
    )
}

/// Entra's `response_mode=form_post` page: a form posted to the redirect URI
/// by script, with a button when script is off (v2-oauth2-auth-code-flow.md,
/// `response_mode`).
pub fn form_post(action: &str, fields: &[(String, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                r#"<input type="hidden" name="{}" value="{}" />"#,
                escape(k),
                escape(v)
            )
        })
        .collect();
    format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{action}">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>"#,
        action = escape(action),
        inputs = inputs
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn form_post_carries_every_field() {
        let html = form_post(
            "https://app/cb",
            &[("code".into(), "a\"b".into()), ("state".into(), "s".into())],
        );
        assert!(html.contains(r#"action="https://app/cb""#));
        assert!(html.contains(r#"name="code" value="a&quot;b""#));
        assert!(html.contains(r#"name="state" value="s""#));
    }
}
