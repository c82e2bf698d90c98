//! Any sandbox scenario file: a typed error, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = entrance_sandbox::Scenario::from_toml(text);
    }
});
