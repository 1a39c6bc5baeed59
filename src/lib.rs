//! putio-up: upload a local folder tree to put.io.
//!
//! `run` is the whole program behind `main`: it resolves settings, builds the runtime and
//! dispatches the command. Layers: cli → settings → {auth, upload} → api; `ui` listens to
//! `upload` and prints for `auth`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod exit;
pub mod secret;
pub mod settings;
pub mod ui;
pub mod upload;

use std::sync::Arc;

use anyhow::Result;
use tokio_util::sync::CancellationToken;

use cli::{Cli, Command};
use exit::{Code, Outcome};

pub fn run(cli: Cli) -> Result<Outcome> {
    let output = settings::output(&cli.global);
    ui::init_logs(&output);
    match cli.command {
        Command::Upload(args) => {
            let endpoints = settings::endpoints(&cli.global)?;
            let upload = settings::upload(&args)?;
            let found = auth::resolve(&auth::store_for(&endpoints))?;
            tracing::debug!(?upload, ?endpoints, token_from = %found.source, "settings");
            let token = found.token;
            runtime()?.block_on(async move {
                let client = Arc::new(api::Client::new(
                    endpoints,
                    &token,
                    upload.retries,
                    upload.jobs,
                )?);
                let reporter = ui::reporter(&output);
                let cancel = CancellationToken::new();
                watch_interrupts(cancel.clone());
                let summary = upload::run(&upload, client, reporter, cancel).await?;
                Ok(Outcome(if summary.interrupted {
                    Code::Interrupted
                } else if summary.failures.is_empty() {
                    Code::Success
                } else {
                    Code::PartialFailure
                }))
            })
        }
        Command::Login(args) => {
            let endpoints = settings::endpoints(&cli.global)?;
            let login = settings::login(&cli.global, &args)?;
            tracing::debug!(?login, ?endpoints, "settings");
            runtime()?.block_on(async move {
                tokio::select! {
                    result = auth::login(&endpoints, &login) => result,
                    _ = tokio::signal::ctrl_c() => Err(exit::Fatal::interrupted()),
                }
            })
        }
        Command::Logout => auth::logout(&settings::endpoints(&cli.global)?),
        Command::Whoami => {
            let endpoints = settings::endpoints(&cli.global)?;
            runtime()?.block_on(auth::whoami(&endpoints))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// First Ctrl-C: stop starting work and wind down (the run then exits 130). Second: leave now.
fn watch_interrupts(cancel: CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        tracing::info!("interrupted: stopping; press Ctrl-C again to quit at once");
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(Code::Interrupted as i32);
        }
    });
}
