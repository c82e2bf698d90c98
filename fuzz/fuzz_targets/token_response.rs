//! Any body a token endpoint answers with: never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    entrance_core::fuzzing::token_response(data);
});
