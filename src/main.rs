//! Thin entry point: parse argv (`putio_up::cli::parse`), run, turn the outcome into an exit code (`putio_up::finish`).

fn main() -> std::process::ExitCode {
    let cli = putio_up::cli::parse();
    putio_up::finish(putio_up::run(cli))
}
