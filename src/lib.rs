//! putio-up: upload a local folder tree to put.io.
//!
//! `run` is the whole program behind `main`: it resolves settings, builds the runtime and
//! dispatches the command. Layers: cli → settings → {auth, upload} → api; `ui` listens to
//! `upload` and prints for `auth`.

pub mod api;
pub mod auth;
pub mod cli;
pub mod exit;
pub mod format;
pub mod generate;
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
    // Generated text depends on the binary alone: no config file, no logs.
    match &cli.command {
        Command::Completions(args) => {
            generate::completions(args.shell, &mut std::io::stdout().lock())?;
            return Ok(Outcome(Code::Success));
        }
        Command::Man(args) => {
            generate::man(args.command.as_deref(), &mut std::io::stdout().lock())?;
            return Ok(Outcome(Code::Success));
        }
        Command::Upload(_) | Command::Login(_) | Command::Logout | Command::Whoami => {}
    }
    let config = settings::config(&cli.global)?;
    let output = settings::output(&cli.global, &config)?;
    ui::init_logs(&output);
    match cli.command {
        Command::Upload(args) => {
            // With --json, a failure that stops the run is also an `error` line on stdout.
            let json = args.json.then(|| Arc::new(ui::Json::stdout(args.dry_run)));
            let result = upload(&cli.global, &config, &output, &args, json.clone());
            if let (Err(err), Some(json)) = (&result, json) {
                json.fatal(exit::code_for(err), &exit::one_line(err));
            }
            result
        }
        Command::Login(args) => {
            let endpoints = settings::endpoints(&cli.global, &config)?;
            let login = settings::login(&cli.global, &config, &args)?;
            tracing::debug!(?login, ?endpoints, "settings");
            runtime()?.block_on(async move {
                tokio::select! {
                    result = auth::login(&endpoints, &login) => result,
                    _ = tokio::signal::ctrl_c() => Err(exit::Fatal::interrupted()),
                }
            })
        }
        Command::Logout => auth::logout(&settings::endpoints(&cli.global, &config)?),
        Command::Whoami => {
            let endpoints = settings::endpoints(&cli.global, &config)?;
            runtime()?.block_on(auth::whoami(&endpoints))
        }
        Command::Completions(_) | Command::Man(_) => unreachable!("answered above"),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn upload(
    global: &cli::GlobalArgs,
    config: &settings::Config,
    output: &settings::Output,
    args: &cli::UploadArgs,
    json: Option<Arc<ui::Json<std::io::Stdout>>>,
) -> Result<Outcome> {
    let endpoints = settings::endpoints(global, config)?;
    let upload = settings::upload(args, config)?;
    let found = auth::resolve(&auth::store_for(&endpoints))?;
    tracing::debug!(?upload, ?endpoints, token_from = %found.source, "settings");
    let token = found.token;
    runtime()?.block_on(async move {
        let client = Arc::new(api::Client::new(
            endpoints,
            &token,
            upload.retries,
            // Folder lookups and file transfers each keep their connections warm.
            upload.jobs + upload.checkers,
        )?);
        let human = ui::reporter(output, upload.dry_run);
        let reporter: Arc<dyn upload::report::Reporter> = match json {
            Some(json) => Arc::new(ui::Tee(human, json)),
            None => human,
        };
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
