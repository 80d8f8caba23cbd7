#![no_main]
//! The `manifest` target: `wixsync::fuzz::manifest` (see engine/src/fuzz.rs).

mod big_stack;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    big_stack::run(wixsync::fuzz::manifest, data);
});
