#![no_main]
//! The `scan_extensions` target: `wixsync::fuzz::scan_extensions` (see engine/src/fuzz.rs).

mod big_stack;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    big_stack::run(wixsync::fuzz::scan_extensions, data);
});
