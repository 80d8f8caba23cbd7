//! wixsync run in this process, through `wixsync::cli::run`, for tests of commands that only
//! print (`events`, `schema`, `permissions`).

use wixsync::cli::{Streams, run};

/// The exit code, stdout and stderr of `wixsync ARGS...`, without colour.
pub fn wixsync(args: &[&str]) -> (i32, String, String) {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = run(
        std::iter::once("wixsync").chain(args.iter().copied()),
        &mut Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: false,
        },
    );
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}
