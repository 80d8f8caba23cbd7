//! The `wixsync` binary: hands the process's arguments and streams to [`wixsync::cli::run`].

fn main() {
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    let code = wixsync::cli::run(
        std::env::args_os(),
        &mut wixsync::cli::Streams {
            stdout: &mut stdout,
            stderr: &mut stderr,
            color: true,
        },
    );
    std::process::exit(code);
}
