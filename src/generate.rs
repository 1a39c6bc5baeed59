//! Shell completions and man pages, generated from the clap definition in `cli.rs`. The
//! generated files are committed in `completions/` and `man/`; `tests/it/help.rs` fails
//! when they drift (`UPDATE_GENERATED=1 cargo test --test it help::generated` rewrites them).

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::Fatal;

pub const BIN: &str = "putio-up";

/// Completions for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> Result<()> {
    // clap_complete panics on a failed write: write to memory, then out, whose error
    // (a closed pipe) the caller handles.
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut text);
    out.write_all(&text)?;
    Ok(())
}

/// The man page of putio-up, or of one of its commands (`putio-up-upload(1)`).
pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let mut root = Cli::command();
    // Building gives subcommands their full names (`putio-up-upload`) and global options.
    root.build();
    let page = match command {
        None => root,
        Some(name) => root.find_subcommand(name).cloned().ok_or_else(|| {
            Fatal::usage(format!(
                "no command `{name}`; man pages exist for: {}",
                pages().join(", ")
            ))
        })?,
    };
    let source = format!("{BIN} {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(page).source(source).render(out)?;
    Ok(())
}

/// The commands that have their own man page, besides the main one.
pub fn pages() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_owned())
        .collect()
}
