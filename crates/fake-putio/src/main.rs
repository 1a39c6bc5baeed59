//! `fake-putio`: runs the fake put.io on loopback for benchmarks and manual tries.
//!
//! Prints `PUTIO_API_URL=`, `PUTIO_UPLOAD_URL=` and `PUTIO_TOKEN=` lines to stdout (and to
//! `--env-file`), logs one line per request to stderr unless `--quiet`, and on SIGINT/SIGTERM
//! prints the final tree and stats to stderr and exits 0. The request log never shows a token.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fake_putio::{
    Crc32Visibility, EntryKind, FakePutio, Faults, FullAnswer, OAuthRules, Options,
    PUTIO_UP_CALLBACK, RedirectRule, Unknowns,
};

// These doc comments are the --help text, where backticks around put.io's names would show.
#[allow(clippy::doc_markdown)]
#[derive(Parser, Debug)]
#[command(
    name = "fake-putio",
    version,
    about = "A stateful fake of put.io's API and upload hosts, on 127.0.0.1"
)]
struct Cli {
    /// Port of the API host (0 = pick a free one).
    #[arg(long, default_value_t = 0)]
    api_port: u16,
    /// Port of the upload host (0 = pick a free one).
    #[arg(long, default_value_t = 0)]
    upload_port: u16,
    /// The token to accept (default: a fixed fake token).
    #[arg(long)]
    token: Option<String>,
    /// Keep only each file's size and CRC32, not its bytes (for big benchmarks).
    #[arg(long)]
    discard_bytes: bool,
    /// Delay added before every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests (0..=1) answered 500/502/503.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    error_rate: f64,
    /// Answer every Nth request with 429 (0 = never).
    #[arg(long, default_value_t = 0)]
    rate_limit_every: u64,
    /// Seconds until x-ratelimit-reset on a 429.
    #[arg(long, default_value_t = 1)]
    rate_limit_reset_secs: u64,
    /// Share of requests (0..=1) whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    drop_rate: f64,
    /// Seed of the fault RNG.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest page a listing returns.
    #[arg(long, default_value_t = 1000)]
    per_page_max: usize,
    /// Account quota: bytes, or with a K/M/G/T suffix (powers of 1024), e.g. 10G (default 1T).
    #[arg(long, value_parser = size)]
    disk_size: Option<u64>,
    /// Also write the three PUTIO_* lines to this file.
    #[arg(long)]
    env_file: Option<PathBuf>,
    /// No per-request log lines.
    #[arg(long)]
    quiet: bool,
    /// Serve HTTPS with a throw-away CA, as put.io's real hosts would be reached: for clients
    /// whose endpoints are fixed (rclone). Use with --ca-file and --connect-proxy.
    #[arg(long)]
    tls: bool,
    /// Write the throw-away CA's certificate (PEM) here (with --tls).
    #[arg(long, requires = "tls")]
    ca_file: Option<PathBuf>,
    /// Also run an HTTP CONNECT proxy that routes api.put.io:443 and upload.put.io:443 to
    /// this fake (and nothing else); prints `HTTPS_PROXY=...`. Upload URLs then use
    /// `https://upload.put.io`.
    #[arg(long, requires = "tls")]
    connect_proxy: bool,

    // Where put.io's behaviour is unknown (shared/putio-api.md), the other plausible answers.
    /// When a new file's crc32 shows in its file object and in the completing PATCH's
    /// putio-file-crc32: immediate, late:SECS (that long after the file was stored), or never
    #[arg(long, default_value = "immediate", value_parser = crc32_visibility, value_name = "WHEN")]
    crc32: Crc32Visibility,
    /// tus: HEAD / PATCH / DELETE on a completed upload's URL answer 404
    #[arg(long)]
    forget_completed_uploads: bool,
    /// tus: an empty PATCH repeated on a completed upload answers without putio-file-id and
    /// putio-file-crc32
    #[arg(long)]
    completion_without_file_id: bool,
    /// .torrent uploads become transfers even with tus no-torrent: true, and .magnet uploads
    /// become transfers too
    #[arg(long)]
    torrents_become_transfers: bool,
    /// Status of the answer to an upload that does not fit the quota: 402
    /// NOT_ENOUGH_DISK_SPACE, 413 REQUEST_ENTITY_TOO_LARGE, 400 UPLOAD_FAILED or 403
    /// STORAGE_LIMIT_EXCEEDED
    #[arg(long, default_value = "402", value_parser = full_answer, value_name = "STATUS")]
    full_answer: FullAnswer,
    /// The account is inactive: account/info says so and every write answers 402
    #[arg(long)]
    account_inactive: bool,
    /// files/delete answers 404 for unknown ids even with skip_nonexistents=1
    #[arg(long)]
    delete_ignores_skip_nonexistents: bool,
    /// Which redirect_uri the login accepts: exact (the registered callback only),
    /// any-loopback-port (http on 127.0.0.1 / [::1], any port) or any (any http(s) URL)
    #[arg(long, default_value = "exact", value_parser = ["exact", "any-loopback-port", "any"])]
    redirect: String,
    /// The callback registered for the app, for --redirect exact (default: putio-up's,
    /// http://127.0.0.1:53683/callback)
    #[arg(long, value_name = "URI")]
    registered_callback: Option<String>,
    /// Refuse (400) any parameter put.io's clients do not send to authorize and token
    /// exchange, such as PKCE's code_challenge and code_verifier
    #[arg(long)]
    oauth_strict: bool,
}

fn crc32_visibility(text: &str) -> Result<Crc32Visibility, String> {
    match text.trim() {
        "immediate" => Ok(Crc32Visibility::Immediate),
        "never" => Ok(Crc32Visibility::Never),
        other => other
            .strip_prefix("late:")
            .and_then(|secs| secs.trim().parse::<f64>().ok())
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .map(Crc32Visibility::After)
            .ok_or_else(|| "expected immediate, late:SECS or never".to_owned()),
    }
}

fn full_answer(text: &str) -> Result<FullAnswer, String> {
    match text.trim() {
        "402" => Ok(FullAnswer::PaymentRequired402),
        "413" => Ok(FullAnswer::TooLarge413),
        "400" => Ok(FullAnswer::BadRequest400),
        "403" => Ok(FullAnswer::Forbidden403),
        _ => Err("expected 402, 413, 400 or 403".to_owned()),
    }
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err("expected a number from 0 to 1".to_owned()),
    }
}

fn size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("bad size {text:?}"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("bad size unit in {text:?}")),
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("size {text:?} is too large"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "fake-putio: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> io::Result<()> {
    if cli.registered_callback.is_some() && cli.redirect != "exact" {
        return Err(io::Error::other(
            "--registered-callback only applies to --redirect exact",
        ));
    }
    let defaults = Options::default();
    let options = Options {
        token: cli.token.clone().unwrap_or(defaults.token),
        disk_size: cli.disk_size.unwrap_or(defaults.disk_size),
        store_bytes: !cli.discard_bytes,
        per_page_max: cli.per_page_max,
        faults: Faults {
            error_5xx: cli.error_rate,
            rate_limit_every: cli.rate_limit_every,
            rate_limit_reset_secs: cli.rate_limit_reset_secs,
            drop: cli.drop_rate,
            latency: Duration::from_millis(cli.latency_ms),
            seed: cli.seed,
        },
        tls: cli.tls,
        public_upload_url: cli
            .connect_proxy
            .then(|| "https://upload.put.io".to_owned()),
        unknowns: Unknowns {
            crc32: cli.crc32,
            forget_completed_uploads: cli.forget_completed_uploads,
            completion_without_file_id: cli.completion_without_file_id,
            torrents_become_transfers: cli.torrents_become_transfers,
            full_answer: cli.full_answer,
            account_inactive: cli.account_inactive,
            delete_ignores_skip_nonexistents: cli.delete_ignores_skip_nonexistents,
        },
        oauth: OAuthRules {
            redirect: match cli.redirect.as_str() {
                "any" => RedirectRule::Any,
                "any-loopback-port" => RedirectRule::AnyLoopbackPort,
                _ => RedirectRule::Exact(
                    cli.registered_callback
                        .clone()
                        .unwrap_or_else(|| PUTIO_UP_CALLBACK.to_owned()),
                ),
            },
            strict_params: cli.oauth_strict,
        },
        ..defaults
    };
    // Signal handlers first: a script may send SIGTERM as soon as it has read our lines.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let shutdown = {
        let _context = runtime.enter();
        Shutdown::listen()?
    };
    let fake = FakePutio::start_on(options, cli.api_port, cli.upload_port)?;
    if !cli.quiet {
        fake.set_request_log(|line| {
            let _ = writeln!(io::stderr().lock(), "{line}");
        });
    }
    let mut env = format!(
        "PUTIO_API_URL={}\nPUTIO_UPLOAD_URL={}\nPUTIO_TOKEN={}\n",
        fake.api_url(),
        fake.upload_url(),
        fake.token()
    );
    if let (Some(path), Some(pem)) = (&cli.ca_file, fake.ca_pem()) {
        fs::write(path, pem)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    if cli.connect_proxy {
        env = env + "HTTPS_PROXY=" + &fake.start_connect_proxy()? + "\n";
    }
    if let Some(path) = &cli.env_file {
        fs::write(path, &env)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    let mut stdout = io::stdout().lock();
    stdout.write_all(env.as_bytes())?;
    stdout.flush()?;
    drop(stdout);

    runtime.block_on(shutdown.wait());
    report(&fake)?;
    Ok(())
}

/// SIGINT or SIGTERM, listened for from the moment it is made.
struct Shutdown {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 2],
}

impl Shutdown {
    /// Needs a tokio runtime context.
    fn listen() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                signals: [
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                ],
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let [mut interrupt, mut terminate] = self.signals;
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn report(fake: &FakePutio) -> io::Result<()> {
    let mut err = io::stderr().lock();
    let tree = fake.tree();
    writeln!(err, "--- final tree ({} entries)", tree.len())?;
    for entry in &tree {
        match entry.kind {
            EntryKind::Folder => writeln!(err, "{}/", entry.path)?,
            EntryKind::File => writeln!(
                err,
                "{}\t{}\t{}",
                entry.path,
                entry.size,
                entry.crc32.as_deref().unwrap_or("-")
            )?,
        }
    }
    let stats = fake.stats();
    writeln!(
        err,
        "--- stats: requests={} patch_bytes={} uploads_created={} faults_injected={}",
        stats.requests, stats.patch_bytes, stats.uploads_created, stats.faults_injected
    )?;
    for (route, count) in &stats.by_route {
        writeln!(err, "{count:>8}  {route}")?;
    }
    Ok(())
}
