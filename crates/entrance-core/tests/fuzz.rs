//! Property test ("fuzz") of everything that reads pasted text: recognition,
//! decoding, inspection, the AADSTS parser and the Entra error parser must
//! never panic, whatever the input.
//!
//! Inputs are generated with structure, so that they reach deep code: random
//! base64url segments, base64 of random and of valid JSON objects, 1–6 parts
//! joined by dots, `Bearer` / `Authorization:` prefixes, quotes and line
//! breaks, URL and JSON wrappers, SAML-ish XML, AADSTS-ish text, and plain
//! random bytes. proptest draws a shape and a seed per case; the generators
//! below build the text from them with a small PRNG. (proptest's own string
//! and recursive strategies cost about a millisecond per value in a debug
//! build, which would make the default run take minutes.)
//!
//! `ENTRANCE_FUZZ_CASES` sets the number of cases (default 20 000, a few
//! seconds in a debug build). A long run:
//! `ENTRANCE_FUZZ_CASES=1000000 cargo test --release -p entrance-core --test fuzz`.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use entrance_core::aadsts::{explain, find_codes, EntraError, TextFacts};
use entrance_core::inspect::{inspect, InspectOptions, TargetNeeds};
use entrance_core::token::recognize;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn cases() -> u32 {
    std::env::var("ENTRANCE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(20_000)
}

/// xorshift64*: fast, deterministic per seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn string(&mut self, alphabet: &str, max: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let n = self.below(max + 1);
        (0..n).map(|_| *self.pick(&chars)).collect()
    }
    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PRINTABLE: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

const KEYS: &[&str] = &[
    "iss",
    "aud",
    "exp",
    "nbf",
    "iat",
    "tid",
    "ver",
    "groups",
    "roles",
    "wids",
    "scp",
    "idtyp",
    "nonce",
    "kid",
    "alg",
    "enc",
    "_claim_names",
    "_claim_sources",
    "hasgroups",
    "upn",
    "acct",
    "email",
    "pwd_exp",
    "amr",
    "appidacr",
    "x5t",
    "error",
    "error_codes",
    "error_description",
    "access_token",
    "id_token",
    "keys",
    "preferred_username",
    "azp",
    "appid",
    "sub",
    "oid",
    "x",
];

const STRINGS: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "b79fbf4d-3ef9-4689-8143-76b194e85509",
    "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
    "https://sts.windows.net/11111111-2222-3333-4444-555555555555/",
    "http://127.0.0.1:1/t/v2.0",
    "00000003-0000-0000-c000-000000000000",
    "https://graph.microsoft.com",
    "api://c0ffee00-0000-4000-8000-000000000001/",
    "ada_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    "1.0",
    "2.0",
    "app",
    "RS256",
    "none",
    "HS256",
    "{tenantid}",
    "",
];

fn leaf(r: &mut Rng) -> serde_json::Value {
    use serde_json::json;
    match r.below(8) {
        0 => serde_json::Value::Null,
        1 => json!(r.chance(50)),
        2 => json!(r.next() as i64),
        3 => json!(r.below(2_000_000_000) as i64 + 1_000_000_000),
        4 => serde_json::Number::from_f64(f64::from_bits(r.next()))
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        5 => json!(r.string(PRINTABLE, 40)),
        _ => json!(*r.pick(STRINGS)),
    }
}

fn value(r: &mut Rng, depth: usize) -> serde_json::Value {
    match r.below(if depth == 0 { 1 } else { 6 }) {
        0..=3 => leaf(r),
        4 => serde_json::Value::Array((0..r.below(5)).map(|_| value(r, depth - 1)).collect()),
        _ => serde_json::Value::Object(
            (0..r.below(4))
                .map(|_| (r.pick(KEYS).to_string(), value(r, depth - 1)))
                .collect(),
        ),
    }
}

fn json_object(r: &mut Rng) -> String {
    let n = r.below(14);
    serde_json::Value::Object(
        (0..n)
            .map(|_| (r.pick(KEYS).to_string(), value(r, 2)))
            .collect(),
    )
    .to_string()
}

fn segment(r: &mut Rng) -> String {
    match r.below(6) {
        0 => r.string(B64URL, 60),
        1 | 2 => URL_SAFE_NO_PAD.encode(json_object(r)),
        3 => URL_SAFE_NO_PAD.encode(r.bytes(48)),
        4 => format!("eyJ{}", r.string(PRINTABLE, 20)),
        _ => r.string("ABCabcxyz0189+/=*!%. ", 30),
    }
}

fn compact(r: &mut Rng) -> String {
    let mut s = match r.below(10) {
        // A well-formed JWS or JWE shape, so decoding goes deep.
        0..=3 => format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(json_object(r)),
            URL_SAFE_NO_PAD.encode(json_object(r)),
            r.string(B64URL, 40)
        ),
        4 => format!(
            "{}.{}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(json_object(r)),
            segment(r),
            segment(r),
            segment(r),
            segment(r)
        ),
        _ => {
            let parts = 1 + r.below(6);
            (0..parts).map(|_| segment(r)).collect::<Vec<_>>().join(".")
        }
    };
    if r.chance(10) {
        // Corrupt one byte.
        let at = r.below(s.len());
        if s.is_char_boundary(at) && s.is_char_boundary(at + 1) {
            let with = *r.pick(&["*", "!", ".", "=", " ", "\n", "é"]);
            s.replace_range(at..at + 1, with);
        }
    }
    s
}

fn wrapped(r: &mut Rng) -> String {
    let prefix = *r.pick(&[
        "",
        "Bearer ",
        "bearer\t",
        "Authorization: Bearer ",
        "authorization:",
        "\"",
        "'",
        "\u{feff}",
        " \r\n",
    ]);
    let token = compact(r);
    let at = r.below(token.len() + 1);
    let at = (0..=at)
        .rev()
        .find(|i| token.is_char_boundary(*i))
        .unwrap_or(0);
    let brk = *r.pick(&["", "\n", " ", "\r\n ", "\""]);
    format!("{prefix}{}{brk}{}", &token[..at], &token[at..])
}

fn url(r: &mut Rng) -> String {
    let params = [
        "id_token",
        "access_token",
        "code",
        "error",
        "error_description",
        "state",
        "SAMLResponse",
        "client_id",
    ];
    let query = (0..r.below(5))
        .map(|_| {
            let k = *r.pick(&params);
            let v = if r.chance(60) {
                compact(r)
            } else {
                r.string(PRINTABLE, 30)
            };
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    match r.below(5) {
        0 => format!("https://grafana.contoso.com/login/azuread?{query}"),
        1 => format!("https://app/cb#{query}"),
        2 => format!("#{query}"),
        3 => format!("?{query}"),
        _ => query,
    }
}

fn json_body(r: &mut Rng) -> String {
    use serde_json::json;
    match r.below(5) {
        0 => json!({"access_token": compact(r), "id_token": compact(r), "token_type": "Bearer"}).to_string(),
        1 => json!({"error": "invalid_grant", "error_description": format!("AADSTS{}", r.string(PRINTABLE, 40)), "error_codes": [70011, -1, 1e40]}).to_string(),
        2 => json_object(r),
        3 => format!("{{\"access_token\": \"{}\"", compact(r)),
        _ => {
            let j = json_object(r);
            j.chars().take(j.chars().count() / 2).collect()
        }
    }
}

fn saml(r: &mut Rng) -> String {
    let pieces = [
        "<saml:Assertion Version=\"2.0\">",
        "<Attribute Name=\"",
        "http://schemas.microsoft.com/claims/groups.link",
        "\">",
        "<AttributeValue>",
        "</AttributeValue>",
        "</Attribute>",
        "<EncryptedAssertion>",
        "&amp;",
        "&#x",
        "&#99999999;",
        "<",
        ">",
        "/",
        "'",
        "urn:oasis:names:tc:SAML:2.0:assertion",
        "<!--",
        "-->",
        "<?xml ?>",
        "FriendlyName=",
        " ",
        "é",
        "<Conditions NotBefore='x'/>",
    ];
    let xml: String = (0..r.below(40)).map(|_| *r.pick(&pieces)).collect();
    match r.below(3) {
        0 => xml,
        1 => STANDARD.encode(&xml),
        _ => format!(
            "SAMLResponse={}",
            url::form_urlencoded::byte_serialize(STANDARD.encode(&xml).as_bytes())
                .collect::<String>()
        ),
    }
}

fn aadsts_text(r: &mut Rng) -> String {
    let pieces = [
        "AADSTS",
        "aadsts",
        " ",
        ":",
        "-",
        "50011",
        "9002327",
        "123456789012",
        "%3A",
        "%",
        "+",
        "error?code=",
        "\"error_codes\"",
        ": [",
        "]",
        ",",
        "7",
        "\r\n",
        "é",
    ];
    (0..r.below(30)).map(|_| *r.pick(&pieces)).collect()
}

/// One input of the given shape.
fn input(shape: u8, seed: u64) -> String {
    let mut r = Rng::new(seed);
    match shape % 12 {
        0..=3 => wrapped(&mut r),
        4 | 5 => url(&mut r),
        6 | 7 => json_body(&mut r),
        8 => saml(&mut r),
        9 => aadsts_text(&mut r),
        10 => String::from_utf8_lossy(&r.bytes(200)).into_owned(),
        _ => (0..r.below(100))
            .filter_map(|_| char::from_u32(r.next() as u32 % 0x11_0000))
            .collect(),
    }
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    })]

    #[test]
    fn reading_any_paste_never_panics(shape in any::<u8>(), seed in any::<u64>(), now in prop_oneof![Just(1_714_557_600i64), any::<i64>()], needs in any::<(bool, bool, bool)>()) {
        let text = input(shape, seed);
        let options = InspectOptions {
            client_id: Some("c0ffee00-0000-4000-8000-000000000001".into()),
            tenant: Some("11111111-2222-3333-4444-555555555555".into()),
            needs: TargetNeeds { roles: needs.0, groups: needs.1, email: needs.2 },
            ..InspectOptions::default()
        };
        if let Ok(pasted) = recognize(&text) {
            prop_assert!(!pasted.items.is_empty());
            let inspection = inspect(&pasted, &options, &[], now);
            prop_assert_eq!(inspection.tokens.len(), pasted.items.len());
            prop_assert!(serde_json::to_string(&inspection).is_ok());
        }
        let facts = TextFacts::from_text(&text);
        for found in find_codes(&text) {
            let _ = explain(found.code, &facts.situation(Some("authentik")));
        }
        let _ = EntraError::parse(&text);
    }
}

/// The generators reach the interesting paths: JWTs decode, errors name
/// segments, wrappers unwrap. A fuzz run that only ever saw garbage would
/// prove little.
#[test]
fn the_generators_reach_decoded_tokens_errors_and_every_wrapper() {
    use entrance_core::token::Content;
    let (mut jws, mut errors, mut wrappers, mut saml) = (0, 0, std::collections::HashSet::new(), 0);
    for seed in 0..3_000u64 {
        match recognize(&input(
            (seed % 12) as u8,
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        )) {
            Ok(p) => {
                wrappers.insert(format!("{:?}", p.wrapper));
                for item in &p.items {
                    match item.content {
                        Content::Jws(_) => jws += 1,
                        Content::Saml(_) => saml += 1,
                        _ => {}
                    }
                }
            }
            Err(_) => errors += 1,
        }
    }
    assert!(
        jws > 100 && errors > 100 && saml > 10,
        "jws {jws}, errors {errors}, saml {saml}"
    );
    assert!(wrappers.len() >= 5, "{wrappers:?}");
}
