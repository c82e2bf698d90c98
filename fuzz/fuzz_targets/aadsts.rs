//! Any text, as pasted or logged: must never panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        entrance_core::fuzzing::aadsts(text);
    }
});
