//! Whatever a local process sends the loopback listener: never a panic,
//! and only a GET of the right path with the right state is the callback.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let status = entrance_core::fuzzing::callback(data);
    if status == 200 {
        let text = String::from_utf8_lossy(data);
        assert!(text.starts_with("GET /cb"), "only GET /cb is the callback");
        assert!(text.contains("state=fuzz"), "only this sign-in's state");
    }
});
