//! putio-up: upload a local folder tree to put.io.
//!
//! [`run`] is the whole program behind `main`: it resolves settings, builds the runtime and
//! dispatches the command; [`finish`] turns its result into the exit code, the one place
//! that decides which outcome gets which code.
//!
//! Imports flow one way, top to bottom, with no loop (`cargo modules dependencies` draws the
//! graph):
//!
//! ```text
//! lib (run, finish)
//!  ├─ doctor ─► ui, api      probes put.io where our assumptions are unverified
//!  ├─ watch ─► upload, api   keeps a folder on put.io: events, settling, passes, signals
//!  ├─ generate ─────────────┐
//!  └─ settings ─────────────┼─► cli        flags as parsed; imports nothing of ours
//!      └─ ui                │              prints; owns `Output`, listens to the two below
//!          ├─ auth ─┐       │              owns `AuthSettings`, `LoginSettings`
//!          └─ upload┤       │              the engine; owns `UploadSettings`
//!                   └─ api  │              the put.io client; owns `Endpoints`
//!                       └─ exit, format, secret, private_file   the ground floor
//! ```
//!
//! Each module owns the type it takes; `settings` alone reads the environment and the
//! config file and builds those types. Every layer may use the ground floor; none imports
//! a layer above it (`upload` never imports `ui` or `settings`; `api` imports only `secret`).

// A `pub` item the crate does not export is `pub(crate)` or less: visibility says who uses it.
#![warn(unreachable_pub)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod doctor;
pub mod exit;
pub mod format;
pub mod generate;
pub mod private_file;
pub mod secret;
pub mod settings;
pub mod ui;
pub mod upload;
pub mod watch;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use tokio_util::sync::CancellationToken;

use api::{ApiError, UnsendableToken};
use cli::{Cli, Command};
use exit::{Code, Fatal, LOGIN_HINT, LoginFailed, Outcome};
use settings::Settings;

pub fn run(cli: Cli) -> Result<Outcome> {
    // Generated text depends on the binary alone: no config file, no logs.
    match &cli.command {
        Command::Completions(args) => {
            let written = generate::completions(args.shell, &mut std::io::stdout().lock());
            return printed(written);
        }
        Command::Man(args) => {
            let written = generate::man(args.command.as_deref(), &mut std::io::stdout().lock());
            return printed(written);
        }
        Command::Upload(_)
        | Command::Watch(_)
        | Command::Login(_)
        | Command::Logout
        | Command::Whoami(_)
        | Command::Doctor(_) => {}
    }
    let settings = Settings::load(&cli.global)?;
    let output = settings.output()?;
    ui::init_logs(&output);
    tracing::debug!(paths = ?settings.paths(), "settings");
    match cli.command {
        Command::Upload(args) => {
            // With --json, a failure that stops the run is also an `error` line on stdout.
            let json = args.json.then(|| Arc::new(ui::Json::stdout(args.dry_run)));
            let result = upload(&settings, &output, &args, json.clone());
            if let (Err(err), Some(json)) = (&result, json) {
                json.fatal(exit_code(err), &format::one_line(err));
            }
            result
        }
        Command::Watch(args) => watch(&settings, &output, &args),
        Command::Login(args) => {
            let auth = settings.auth()?;
            let login = settings.login(&args)?;
            tracing::debug!(?login, ?auth, "settings");
            let printer = ui::auth::AuthPrinter::new(&output, false);
            runtime()?.block_on(async move {
                tokio::select! {
                    result = auth::login(&auth, &login, &printer) => result,
                    _ = tokio::signal::ctrl_c() => Err(Fatal::interrupted()),
                }
            })
        }
        Command::Logout => auth::logout(
            &settings.auth()?,
            &ui::auth::AuthPrinter::new(&output, false),
        ),
        Command::Whoami(args) => {
            let auth = settings.auth()?;
            let printer = ui::auth::AuthPrinter::new(&output, args.json);
            runtime()?.block_on(auth::whoami(&auth, &printer))
        }
        Command::Doctor(args) => doctor(&settings, &output, &args),
        Command::Completions(_) | Command::Man(_) => unreachable!("answered above"),
    }
}

/// Prints a fatal error once, in one format, and maps the result to the process exit code.
pub fn finish(result: Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome(code)) => code.into(),
        Err(err) => {
            let code = exit_code(&err);
            if code != Code::Interrupted {
                // A failed login already says what to do next: no generic hint on top.
                let explained = err
                    .chain()
                    .any(|c| c.downcast_ref::<LoginFailed>().is_some());
                let hint = (code == Code::Auth && !explained).then_some(LOGIN_HINT);
                ui::fatal(&format::one_line(&err), hint);
            }
            code.into()
        }
    }
}

/// The outcome of writing generated text to stdout. A reader that went away
/// (`putio-up man | head`) is no failure: nobody is left to tell, as with `git log | head`.
fn printed(written: Result<()>) -> Result<Outcome> {
    match written {
        Err(err) if !closed_pipe(&err) => Err(err),
        _ => Ok(Outcome(Code::Success)),
    }
}

/// A write failed because the other end of the pipe closed.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The code an error deserves: an explicit [`Fatal`] wins, then a failed login or a
/// rejected token, a full account; anything else that escaped to the top stopped the whole
/// run remotely.
pub fn exit_code(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if let Some(fatal) = cause.downcast_ref::<Fatal>() {
            return fatal.code;
        }
        if cause.is::<LoginFailed>() || cause.is::<UnsendableToken>() {
            return Code::Auth;
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            if api.is_unauthorized() {
                return Code::Auth;
            }
            if api.is_storage_full() {
                return Code::Remote;
            }
        }
    }
    Code::Remote
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn upload(
    settings: &Settings<'_>,
    output: &ui::Output,
    args: &cli::UploadArgs,
    json: Option<Arc<ui::Json<std::io::Stdout>>>,
) -> Result<Outcome> {
    let auth = settings.auth()?;
    let upload = settings.upload(args)?;
    let logs = settings.upload_logs(args)?;
    let found = auth::resolve(&auth)?;
    tracing::debug!(?upload, endpoints = ?auth.endpoints, token_from = %found.source, "settings");
    let token = found.token.clone();
    runtime()?.block_on(async move {
        let client = Arc::new(api::Client::new(
            auth.endpoints,
            &token,
            upload.retries,
            // Folder lookups and file transfers each keep their connections warm.
            upload.jobs + upload.checkers,
        )?);
        let reporter = ui::upload_reporter(output, upload.dry_run, json, &logs)?;
        let cancel = CancellationToken::new();
        watch_interrupts(cancel.clone(), Arc::clone(&reporter));
        let summary = upload::run(&upload, client, reporter, cancel)
            .await
            .map_err(|err| rejected_or(err, &found.source))?;
        Ok(Outcome(if summary.interrupted {
            Code::Interrupted
        } else if !summary.failures.is_empty() {
            Code::PartialFailure
        } else if summary.stopped_at.is_some() {
            Code::Limit
        } else {
            Code::Success
        }))
    })
}

/// `watch`: runs until SIGTERM (exit 0) or Ctrl-C (exit 130). The token is read again
/// whenever put.io refused it, so a new `putio-up login` is picked up without a restart.
fn watch(settings: &Settings<'_>, output: &ui::Output, args: &cli::WatchArgs) -> Result<Outcome> {
    let auth = settings.auth()?;
    let watch = settings.watch(args)?;
    // No token at all is a mistake to say at once, not something to wait for.
    let found = auth::resolve(&auth)?;
    tracing::debug!(?watch, endpoints = ?auth.endpoints, token_from = %found.source, "settings");
    let upload = &watch.upload;
    let (retries, connections) = (upload.retries, upload.jobs + upload.checkers);
    let connect = move || -> Result<Arc<api::Client>> {
        let found = auth::resolve(&auth)?;
        Ok(Arc::new(api::Client::new(
            auth.endpoints.clone(),
            &found.token,
            retries,
            connections,
        )?))
    };
    let human = ui::watch::reporter(output);
    let reporter: Arc<dyn upload::report::Reporter> = if args.upload.json {
        Arc::new(ui::Tee(human, Arc::new(ui::Json::stdout(false))))
    } else {
        human
    };
    let printer = ui::watch::WatchPrinter::new(output);
    runtime()?.block_on(async move {
        let stop = watch::Stop::default();
        stop.on_signals()?;
        let stopped = watch::run(&watch, &connect, reporter, &printer, &stop).await?;
        Ok(Outcome(stopped.code()))
    })
}

fn doctor(settings: &Settings<'_>, output: &ui::Output, args: &cli::DoctorArgs) -> Result<Outcome> {
    let auth = settings.auth()?;
    let found = auth::resolve(&auth)?;
    let doctor = doctor::Settings {
        parent_id: args.parent_id,
        crc_wait: std::time::Duration::from_secs(args.crc_wait),
        json: args.json,
        quiet: output.verbosity == ui::Verbosity::Quiet,
        color: output.color,
    };
    tracing::debug!(?doctor, endpoints = ?auth.endpoints, token_from = %found.source, "settings");
    runtime()?.block_on(async move {
        let client = api::Client::new(auth.endpoints, &found.token, 4, 2)?;
        doctor::run(&client, &doctor)
            .await
            .map_err(|err| rejected_or(err, &found.source))
    })
}

/// A token put.io refused, said the same way by every command (see [`auth::rejected`]);
/// any other error as it is.
fn rejected_or(err: anyhow::Error, source: &auth::TokenSource) -> anyhow::Error {
    let refused = err.chain().any(|cause| {
        cause
            .downcast_ref::<ApiError>()
            .is_some_and(ApiError::is_unauthorized)
            || cause
                .downcast_ref::<Fatal>()
                .is_some_and(|fatal| fatal.code == Code::Auth)
    });
    if refused { auth::rejected(source) } else { err }
}

/// First Ctrl-C: say so at once, stop starting work and wind down (the run then exits 130).
/// Second: clear the bars and leave now.
fn watch_interrupts(cancel: CancellationToken, reporter: Arc<dyn upload::report::Reporter>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        reporter.event(upload::report::Event::Stopping);
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            reporter.event(upload::report::Event::Quitting);
            exit::now(Code::Interrupted);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_error_chain() {
        assert_eq!(exit_code(&Fatal::usage("x")), Code::Usage);
        assert_eq!(exit_code(&LoginFailed::error("denied")), Code::Auth);
        assert_eq!(exit_code(&anyhow::Error::new(UnsendableToken)), Code::Auth);
        let wrapped = anyhow::Error::new(ApiError::protocol("list", "odd")).context("upload");
        assert_eq!(exit_code(&wrapped), Code::Remote);
        assert_eq!(exit_code(&anyhow::anyhow!("anything else")), Code::Remote);
    }
}
