#![no_main]
//! The `pipeline` target: `wixsync::fuzz::pipeline` (see engine/src/fuzz.rs).

mod big_stack;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    big_stack::run(wixsync::fuzz::pipeline, data);
});
