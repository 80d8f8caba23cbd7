//! The `wixsync` binary: hands the process's arguments and streams to [`wixsync::cli::run`].

fn main() {
    // `FORCE_COLOR` (force-color.org) as well as `CLICOLOR_FORCE`, which anstream reads itself.
    if std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") {
        anstream::ColorChoice::write_global(anstream::ColorChoice::Always);
    }
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
