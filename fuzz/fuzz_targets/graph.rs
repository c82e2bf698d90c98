//! Any body Microsoft Graph (or something in its place) answers with.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    entrance_core::fuzzing::graph(data);
});
