#![no_main]
//! The `scan_handler` target: `wixsync::fuzz::scan_handler` (see engine/src/fuzz.rs).

mod big_stack;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    big_stack::run(wixsync::fuzz::scan_handler, data);
});
