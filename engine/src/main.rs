//! The `wixsync` binary: hands the process's arguments and streams to [`wixsync::cli::run`].

/// The stack the work runs on: 256 MiB, reserved, not committed. Parsing and visiting recurse
/// once per nesting level of the code read; `parse::MAX_NESTING` bounds the brackets, and this
/// leaves room for the long `.use(...)` chains and expressions no bracket count sees.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() {
    let work = std::thread::Builder::new()
        .name("wixsync".to_owned())
        .stack_size(STACK_BYTES)
        .spawn(run)
        .expect("a thread for the work");
    let code = work.join().unwrap_or(101);
    std::process::exit(code);
}

fn run() -> i32 {
    // `FORCE_COLOR` (force-color.org) as well as `CLICOLOR_FORCE`, which anstream reads itself.
    if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") {
        anstream::ColorChoice::write_global(anstream::ColorChoice::Always);
    }
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    wixsync::cli::run(
        std::env::args_os(),
        &mut wixsync::cli::Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: true,
        },
    )
}
