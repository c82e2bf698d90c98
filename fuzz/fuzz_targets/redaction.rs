//! No planted secret survives the redactor, in any of its forms (plain,
//! URL-encoded both ways, JSON-escaped, base64, base64url), wherever it is
//! put in the text.
#![no_main]

#[derive(Debug, arbitrary::Arbitrary)]
struct Input<'a> {
    secret: &'a str,
    before: &'a str,
    after: &'a str,
    form: u8,
}

libfuzzer_sys::fuzz_target!(|input: Input<'_>| {
    entrance_core::fuzzing::redaction(input.secret, input.before, input.after, input.form);
});
