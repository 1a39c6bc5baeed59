//! Command-line types: a faithful picture of argv and nothing more, and [`parse`], which
//! reads argv into them and words clap's errors as of what was typed. The top parse layer:
//! it imports nothing of ours, `crate::settings` turns it into what each layer needs, and
//! nothing below settings sees clap.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

const ENV_HELP: &str = "\
Examples:
  putio-up upload ./photos --to /Backups/2026       # mirror ./photos into /Backups/2026/photos
  putio-up upload ./photos --dry-run                # show what would be created and uploaded
  putio-up upload ./photos --json > events.ndjson   # one JSON event per line on stdout
  putio-up completions bash > ~/.local/share/bash-completion/completions/putio-up

Environment:
  PUTIO_TOKEN          OAuth token of your put.io account; wins over a stored login
  PUTIO_API_URL        API origin, default https://api.put.io
  PUTIO_UPLOAD_URL     upload origin, default https://upload.put.io
  PUTIO_CLIENT_ID, PUTIO_CLIENT_SECRET   your put.io app, for `login` (see `login --help`)
  PUTIO_WEB_URL        put.io web app origin for `login --device`, default https://app.put.io
  PUTIO_UP_CONFIG_DIR  config directory (token file, putio-up.toml)
  PUTIO_UP_CONFIG      config file, default $XDG_CONFIG_HOME/putio-up/putio-up.toml
  PUTIO_UP_STATE_DIR   folder of the resume journal, default $XDG_STATE_HOME/putio-up
  PUTIO_UP_*           every other option: see `putio-up upload --help`
  NO_COLOR             set (not empty) to turn colour off, unless --color or the config says otherwise

Precedence: command-line flag, then environment variable, then config file, then default.

Exit codes: 0 all uploaded, 1 some files failed, 2 usage or local input error,
3 token missing or rejected, 4 remote error stopped the run, 5 stopped at a limit you set
(--max-transfer, --max-duration; run the same command again to continue), 130 interrupted.";

/// Parses argv as [`Parser::parse`] does (on an error: clap's message, exit 2), except that
/// an error never shows an option the environment gave as if it had been typed: clap puts
/// every switch it read from a `PUTIO_UP_*` variable into the usage line
/// (`Usage: putio-up upload --json <PATH>...`) and names only the flag when the variable's
/// value is wrong.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    Cli::try_parse_from(&args).unwrap_or_else(|err| as_typed(err, &args).exit())
}

/// `err` with the usage line of what was typed, and, when the value of a variable is what
/// is wrong, the variable named.
fn as_typed(mut err: clap::Error, args: &[std::ffi::OsString]) -> clap::Error {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let mut root = Cli::command();
    root.build();
    // The same argv without the environment: clap's error for that shows only typed options.
    let typed = without_env(root.clone()).try_get_matches_from(args);
    let usage = match &typed {
        Err(typed) => typed.get(ContextKind::Usage).cloned(),
        // Only the environment makes it wrong: the plain usage of the command typed.
        Ok(matches) => {
            let (mut command, mut matches) = (&root, matches);
            while let Some((name, sub)) = matches.subcommand() {
                let Some(found) = command.find_subcommand(name) else {
                    break;
                };
                (command, matches) = (found, sub);
            }
            Some(ContextValue::StyledStr(command.clone().render_usage()))
        }
    };
    if let Some(usage) = usage.filter(|_| err.get(ContextKind::Usage).is_some()) {
        err.insert(ContextKind::Usage, usage);
    }
    let from_env = typed
        .as_ref()
        .map_or_else(|t| t.kind() != err.kind(), |_| true);
    if from_env
        && matches!(
            err.kind(),
            ErrorKind::InvalidValue | ErrorKind::ValueValidation
        )
        && let Some(ContextValue::String(flag)) = err.get(ContextKind::InvalidArg)
        && let Some(var) = env_of(&root, flag)
    {
        // `invalid value 'maybe' for 'PUTIO_UP_JSON'`: the value is the variable's.
        err.insert(ContextKind::InvalidArg, ContextValue::String(var));
    }
    err
}

/// The variable an option is read from, by the option as clap's errors show it (`--json`,
/// `--torrents <MODE>`), in `command` or any of its subcommands (they share the names).
fn env_of(command: &clap::Command, shown: &str) -> Option<String> {
    let long = shown.split_whitespace().next()?.strip_prefix("--")?;
    let here = command
        .get_arguments()
        .find(|arg| arg.get_long() == Some(long))
        .and_then(clap::Arg::get_env)
        .map(|var| var.to_string_lossy().into_owned());
    here.or_else(|| command.get_subcommands().find_map(|sub| env_of(sub, shown)))
}

/// `command` with no option read from the environment, for every subcommand.
fn without_env(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    let mut command = command.mut_args(|arg| arg.env(None::<&'static str>));
    for name in names {
        command = command.mut_subcommand(name, without_env);
    }
    command
}

#[derive(Debug, Parser)]
#[command(name = "putio-up", version, about = "Upload a local folder tree to put.io", after_help = ENV_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

// The origins and the config file are read from the environment by `crate::settings`: had
// clap read them, every usage line would show `--api-url <URL>` as if it had been typed.
#[allow(clippy::doc_markdown)] // doc comments of clap items are --help text
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Log lines on stderr instead of progress bars (-v: info, -vv: debug, -vvv: trace)
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Print only errors and the final summary, no progress bars
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// put.io API origin: scheme, host and optional port, no path [env: PUTIO_API_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,

    /// put.io upload origin: scheme, host and optional port, no path [env: PUTIO_UPLOAD_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub upload_url: Option<String>,

    /// put.io web app origin, where `login --device` sends you to approve the code [env: PUTIO_WEB_URL]
    #[arg(long, global = true, value_name = "URL")]
    pub web_url: Option<String>,

    /// Config file to read instead of $XDG_CONFIG_HOME/putio-up/putio-up.toml
    /// [env: PUTIO_UP_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour in human output on stderr [default: auto, or `color` in the config file]
    #[arg(
        long,
        env = "PUTIO_UP_COLOR",
        hide_env_values = true,
        global = true,
        value_name = "WHEN",
        value_enum
    )]
    pub color: Option<ColorWhen>,
}

/// When human output gets colour.
#[allow(clippy::doc_markdown)] // doc comments of clap items are --help text
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when stderr is a terminal and NO_COLOR is not set
    Auto,
    /// Colour, even into a pipe or file
    Always,
    /// No colour
    Never,
}

// Parsed once per run: a large `upload` variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload folders, and everything in them, and files to put.io
    #[command(after_help = UPLOAD_EXAMPLES)]
    Upload(UploadArgs),

    /// Keep a folder on put.io: upload it, then upload what is added or changed, until stopped
    #[command(after_help = WATCH_HELP)]
    Watch(WatchArgs),

    /// Log in to put.io and store the token (browser, --device or --with-token)
    #[command(after_help = LOGIN_HELP)]
    Login(LoginArgs),

    /// Remove the stored token (keychain and file)
    #[command(after_help = LOGOUT_EXAMPLES)]
    Logout,

    /// Show the account the token belongs to, its disk use, and where the token came from
    #[command(after_help = WHOAMI_EXAMPLES)]
    Whoami(WhoamiArgs),

    /// Find out how put.io answers where putio-up's assumptions are unverified, in a
    /// temporary folder it removes; prints a report to paste into a bug report
    #[command(after_help = DOCTOR_HELP)]
    Doctor(DoctorArgs),

    /// Print shell completions for putio-up to stdout
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),

    /// Print putio-up's man page (roff) to stdout
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

const LOGOUT_EXAMPLES: &str = "\
Examples:
  putio-up logout                 # forget the stored token (put.io still knows it: revoke it
                                  # under Settings → Apps on put.io to end it there too)";

const WHOAMI_EXAMPLES: &str = "\
Examples:
  putio-up whoami                 # account, disk use, and where the token came from
  PUTIO_TOKEN=... putio-up whoami # check a token before giving it to a CI job
  putio-up whoami --json | jq -r .disk.avail    # bytes free, for a script";

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print the answer as one JSON object on stdout (username, disk, token source)
    #[arg(long)]
    pub json: bool,
}

/// The callback port when `--port` is not given. put.io matches the redirect URI registered
/// for the app, so it is fixed and documented (here, in `LOGIN_HELP` and README "Logging
/// in"); `crate::settings` hands it to auth, which has no default of its own.
pub const DEFAULT_CALLBACK_PORT: u16 = 53683;

pub const LOGIN_HELP: &str = "\
Examples:
  putio-up login                  # browser login; needs your put.io app (PUTIO_CLIENT_ID and
                                  # PUTIO_CLIENT_SECRET, or client_id / client_secret in
                                  # putio-up.toml) registered with the callback URL
                                  # http://127.0.0.1:53683/callback
  putio-up login --device         # for machines without a browser: approve a short code at
                                  # app.put.io/link from any device (needs PUTIO_CLIENT_ID only)
  putio-up login --with-token < token.txt   # read a token from stdin (or a hidden prompt)

The token goes to the OS keychain; where there is none, add --insecure-storage to keep it in
a file only you can read. For CI, set PUTIO_TOKEN instead of logging in.";

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Log in by approving a code at app.put.io/link from another device
    #[arg(long, conflicts_with_all = ["with_token", "port", "no_browser"])]
    pub device: bool,

    /// Read the token from stdin (never from an argument)
    #[arg(long, conflicts_with_all = ["port", "no_browser"])]
    pub with_token: bool,

    /// Port of the local callback, http://127.0.0.1:PORT/callback, which must be the callback
    /// URL registered for your put.io app. Another port, or 0 (any free one), works only if
    /// put.io accepts any loopback port for the app, which is not known
    #[arg(long, default_value_t = DEFAULT_CALLBACK_PORT, value_name = "PORT")]
    pub port: u16,

    /// Print the login address instead of opening a browser
    #[arg(long)]
    pub no_browser: bool,

    /// Give up waiting for the browser or the code's approval after this long (90s, 5m, 1h)
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: std::time::Duration,

    /// Store the token in a plaintext file readable only by you (mode 0600) instead of the OS
    /// keychain
    #[arg(long)]
    pub insecure_storage: bool,
}

const UPLOAD_EXAMPLES: &str = "\
Examples:
  PUTIO_TOKEN=... putio-up upload ./photos                 # creates /photos on put.io
  putio-up upload ./photos --to /Backups/2026              # creates /Backups/2026/photos
  putio-up upload ./photos --parent-id 123456 -j 8         # into folder 123456, 8 files at once
  putio-up upload ./photos --dry-run                       # show the plan, change nothing
  putio-up upload ~/Documents --to /Backups --on-conflict rename   # changed files go beside
  putio-up upload ./src --exclude target/ --exclude '*.tmp' --no-hidden
  putio-up upload ./photos --include '*.jpg' --include '*.png'   # only pictures
  putio-up upload ./photos --json | jq -c 'select(.type == \"file_failed\")'
  putio-up upload ./a ./b notes.txt --to /Inbox           # /Inbox/a, /Inbox/b, /Inbox/notes.txt
  find ~/photos -newer ~/last-run -type f -print0 | putio-up upload ~/photos --files-from0 -
  putio-up upload ./outbox --delete-source                 # move: remove what put.io verified
  putio-up upload ./photos --bwlimit \"08:00,1M 19:00,off\"  # 1 MiB/s by day, full speed at night
  putio-up upload ./archive --max-duration 2h --log-file ~/putio-up.log   # exit 5: run again

Filters use .gitignore syntax, matched against paths relative to each folder given: `*.tmp`
matches at any depth, `/build` only at the top, `cache/` only folders, `!keep.tmp` takes a
file back; a file given by name is sent whatever they say.
Defaults for most options can be set in the config file (see `putio-up --help`).";

const DOCTOR_HELP: &str = "\
Examples:
  putio-up doctor                      # the table on stderr
  putio-up doctor --json > doctor.json # and one JSON document on stdout, for a bug report
  putio-up doctor --parent-id 123456   # work inside folder 123456 instead of the root

It creates a folder putio-up-doctor-<random> (in the root, or in --parent-id), uploads a few
small test files into it (1000 bytes, 0 bytes, 5 MiB and two tiny .torrent/.magnet files),
lists, deletes its own files, and removes the folder at the end, also after
an error or Ctrl-C; if it cannot, it says so with the folder's id. It also asks put.io to start
an upload larger than the free space, sends no data for it and abandons it at once.

Exit codes: 0 put.io does everything putio-up relies on (rows OK or INFO), 1 some row says
DIFFERS, 2 bad --parent-id, 3 token missing or rejected, 4 put.io unreachable,
130 interrupted.";

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Folder id to create the temporary folder in; 0 is the account root
    #[arg(long, value_name = "ID", default_value_t = 0)]
    pub parent_id: u64,

    /// Seconds to wait for put.io to show the CRC32 of a new file, when it is not there at once
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub crc_wait: u64,

    /// Also print the report as one JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  putio-up completions bash > ~/.local/share/bash-completion/completions/putio-up
  putio-up completions zsh > ~/.zfunc/_putio-up        # with fpath+=(~/.zfunc) in ~/.zshrc
  putio-up completions fish > ~/.config/fish/completions/putio-up.fish
  putio-up completions powershell >> $PROFILE";

const MAN_EXAMPLES: &str = "\
Examples:
  putio-up man | man -l -                      # read it now
  putio-up man upload > putio-up-upload.1      # the page of one command
  putio-up man > ~/.local/share/man/man1/putio-up.1";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command to print the page of (e.g. `upload`); default: the main page
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// What to do when a file of the same name but other content is already on put.io.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConflictArg {
    /// Leave the file on put.io alone and count the local one as failed (exit 1)
    Fail,
    /// Leave the file on put.io alone and count the local one as skipped (exit 0)
    Skip,
    /// Upload the new file, verify it, and only then delete the old one
    Overwrite,
    /// Upload the new file next to the old one, as `name (1).ext` (the next free number)
    Rename,
}

/// Help headings of `upload`'s options.
const DESTINATION: &str = "Destination";
const TRANSFER: &str = "Transfer";
const FILTERS: &str = "Filters";
const OUTPUT: &str = "Output";

// The numbers and the conflict policy are read from the environment by `crate::settings`,
// not by clap: an error then names the variable, and usage lines never show a flag the
// person did not type. Switches read from the environment by clap take true/false, yes/no,
// on/off or 1/0; their values are not shown (`[env: X=]` would read as "set but empty").
#[allow(clippy::doc_markdown)] // doc comments of clap items are --help text
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Folders and files to upload: a folder becomes a folder of the same name in the
    /// destination, a file goes straight into it
    #[arg(value_name = "PATH", required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,

    /// Destination folder path on put.io from the account root (`Backups` is `/Backups`),
    /// created if missing; a name put.io would not get as typed (`a:b`) is refused with the
    /// name to use [default: the account root, or `to` in the config file] [env: PUTIO_UP_TO]
    #[arg(long, value_name = "PATH", conflicts_with = "parent_id", help_heading = DESTINATION)]
    pub to: Option<String>,

    /// Destination folder id on put.io, 0 is the account root [env: PUTIO_UP_PARENT_ID]
    #[arg(long, value_name = "ID", help_heading = DESTINATION)]
    pub parent_id: Option<u64>,

    /// When a different file of the same name is already on put.io: fail, skip, overwrite
    /// (upload the new one, verify it, then delete the old one) or rename (upload as
    /// `name (1).ext`) [default: fail] [env: PUTIO_UP_ON_CONFLICT]
    #[arg(long, value_name = "POLICY", value_enum, hide_possible_values = true,
          conflicts_with = "overwrite", help_heading = DESTINATION)]
    pub on_conflict: Option<ConflictArg>,

    /// Short for --on-conflict overwrite: the new file is uploaded and verified first, then
    /// the old one is deleted (it goes to put.io's trash if enabled)
    /// [env: PUTIO_UP_OVERWRITE]
    #[arg(long, help_heading = DESTINATION)]
    pub overwrite: bool,

    /// Before skipping a file that is already on put.io with the same size, also compare CRC32s
    /// (reads every such local file)
    #[arg(long, env = "PUTIO_UP_CHECKSUM", hide_env_values = true,
          value_parser = BoolishValueParser::new(), help_heading = DESTINATION)]
    pub checksum: bool,

    /// How many files to upload at once, 1 to 64 [default: 4] [env: PUTIO_UP_JOBS]
    #[arg(short, long, value_name = "N", help_heading = TRANSFER,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,

    /// How many folders to list or create on put.io at once, whatever -j is, 1 to 64
    /// [default: 16] [env: PUTIO_UP_CHECKERS]
    #[arg(long, value_name = "N", help_heading = TRANSFER,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub checkers: Option<u16>,

    /// Bytes sent per upload request, 1MiB to 4GiB, e.g. 64MiB; a failed request resends at
    /// most this much [default: 64MiB] [env: PUTIO_UP_CHUNK_SIZE]
    #[arg(long, value_name = "SIZE", value_parser = parse_chunk_size, help_heading = TRANSFER)]
    pub chunk_size: Option<u64>,

    /// Retries of a failed request before its file is given up, 0 to 100 (transient errors
    /// only: timeouts, dropped connections, 5xx, 429); 0 tries once [default: 8]
    /// [env: PUTIO_UP_RETRIES]
    #[arg(long, value_name = "N", help_heading = TRANSFER,
          value_parser = clap::value_parser!(u32).range(0..=MAX_RETRIES as i64))]
    pub retries: Option<u32>,

    /// How long to wait for put.io to report the CRC32 of a file it stored without one, e.g.
    /// `90s`, `5m`; a file still without one is kept and reported as not verified
    /// [default: 60s] [env: PUTIO_UP_VERIFY_WAIT]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, help_heading = TRANSFER)]
    pub verify_wait: Option<std::time::Duration>,

    /// Leave out paths matching this .gitignore-style pattern (repeatable; adds to `exclude`
    /// in the config file)
    #[arg(long, value_name = "GLOB", help_heading = FILTERS)]
    pub exclude: Vec<String>,

    /// Upload only files matching this .gitignore-style pattern, or inside a matching folder
    /// (repeatable)
    #[arg(long, value_name = "GLOB", help_heading = FILTERS)]
    pub include: Vec<String>,

    /// Read exclude patterns from FILE, one per line, .gitignore syntax (repeatable)
    #[arg(long, value_name = "FILE", env = "PUTIO_UP_EXCLUDE_FROM", hide_env_values = true,
          help_heading = FILTERS)]
    pub exclude_from: Vec<PathBuf>,

    /// Leave out hidden files and folders (names starting with `.`); they are uploaded by
    /// default
    #[arg(long, env = "PUTIO_UP_NO_HIDDEN", hide_env_values = true,
          value_parser = BoolishValueParser::new(), help_heading = FILTERS)]
    pub no_hidden: bool,

    /// Upload hidden files and folders (the default; overrides `no_hidden` from the
    /// environment or config file)
    #[arg(long, help_heading = FILTERS)]
    pub hidden: bool,

    /// Follow symbolic links (loops are detected and reported); by default links are skipped
    #[arg(short = 'L', long, env = "PUTIO_UP_FOLLOW_LINKS", hide_env_values = true,
          value_parser = BoolishValueParser::new(), help_heading = FILTERS)]
    pub follow_links: bool,

    /// Print newline-delimited JSON events on stdout (human output stays on stderr)
    #[arg(long, env = "PUTIO_UP_JSON", hide_env_values = true,
          value_parser = BoolishValueParser::new(), help_heading = OUTPUT)]
    pub json: bool,

    /// Decide everything (walk, names, remote listing) and print the plan; create and
    /// upload nothing
    #[arg(short = 'n', long, env = "PUTIO_UP_DRY_RUN", hide_env_values = true,
          value_parser = BoolishValueParser::new(), help_heading = OUTPUT)]
    pub dry_run: bool,

    /// What .torrent and .magnet files become: `file` stores them like any file, `transfer`
    /// starts a put.io transfer from each into its folder instead [default: file]
    #[arg(long, env = "PUTIO_UP_TORRENTS", hide_env_values = true, value_name = "MODE",
          value_enum, help_heading = TRANSFER)]
    pub torrents: Option<TorrentsMode>,

    #[command(flatten)]
    pub reach: ReachArgs,
}

/// The most `--retries` allows: past this, a file would retry for hours.
pub const MAX_RETRIES: u32 = 100;
/// The smallest `--chunk-size`: below it, request overhead dominates and a 5 MiB file takes
/// hours.
pub const MIN_CHUNK_SIZE: u64 = 1 << 20;
/// The largest `--chunk-size`: one request's body, resent whole after a failure.
pub const MAX_CHUNK_SIZE: u64 = 4 << 30;

/// A size within `MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE`.
pub fn parse_chunk_size(text: &str) -> Result<u64, String> {
    let size = parse_size(text)?;
    if size < MIN_CHUNK_SIZE {
        return Err(format!(
            "`{}` is too small for a chunk; use at least 1MiB (e.g. 8MiB or 64MiB)",
            text.trim()
        ));
    }
    if size > MAX_CHUNK_SIZE {
        return Err(format!(
            "`{}` is too large for a chunk; use at most 4GiB",
            text.trim()
        ));
    }
    Ok(size)
}

/// Which paths, move mode, bandwidth and run limits, and progress for logs.
#[allow(clippy::doc_markdown)] // doc comments of clap items are --help text
#[derive(Debug, Args)]
#[command(next_help_heading = "Selection, move mode, limits and logs")]
pub struct ReachArgs {
    /// Upload only the paths listed in FILE (`-`: stdin), one per line, `#` comments;
    /// relative to the one folder given, or absolute inside it
    #[arg(
        long,
        value_name = "FILE",
        env = "PUTIO_UP_FILES_FROM",
        hide_env_values = true,
        conflicts_with = "files_from0"
    )]
    pub files_from: Option<PathBuf>,

    /// Like --files-from, with paths separated by NUL (for `find -print0`)
    #[arg(
        long,
        value_name = "FILE",
        env = "PUTIO_UP_FILES_FROM0",
        hide_env_values = true
    )]
    pub files_from0: Option<PathBuf>,

    /// Move mode: remove each local file once put.io holds it verified (same CRC32), and
    /// the folders that emptied (never the folder given); compares CRC32s before skipping
    #[arg(long, env = "PUTIO_UP_DELETE_SOURCE", hide_env_values = true, value_parser = BoolishValueParser::new())]
    pub delete_source: bool,

    /// Bandwidth for all transfers together, bytes per second: `10M`, `512k`, `off`, or a
    /// timetable by local time such as "08:00,1M 19:00,off"
    #[arg(
        long,
        env = "PUTIO_UP_BWLIMIT",
        hide_env_values = true,
        value_name = "RATE"
    )]
    pub bwlimit: Option<String>,

    /// Start no new file once files of this many bytes have been started (e.g. 50G); then
    /// exit 5, and the same command continues
    #[arg(long, env = "PUTIO_UP_MAX_TRANSFER", hide_env_values = true, value_name = "SIZE", value_parser = parse_size)]
    pub max_transfer: Option<u64>,

    /// Start no new file after the run has gone on this long (e.g. 2h); then exit 5
    #[arg(long, env = "PUTIO_UP_MAX_DURATION", hide_env_values = true, value_name = "DURATION",
          value_parser = parse_duration)]
    pub max_duration: Option<std::time::Duration>,

    /// At a limit: `soft` lets the files in flight finish, `hard` pauses them resumably
    /// [default: soft]
    #[arg(
        long,
        env = "PUTIO_UP_CUTOFF",
        hide_env_values = true,
        value_name = "MODE",
        value_enum
    )]
    pub cutoff: Option<CutoffMode>,

    /// When stderr is no terminal, a progress line this often while files are in flight
    /// (and a `progress` event with --json); 0 turns it off [default: 30s]
    #[arg(long, env = "PUTIO_UP_PROGRESS_INTERVAL", hide_env_values = true, value_name = "DURATION",
          value_parser = parse_interval)]
    pub progress_interval: Option<std::time::Duration>,

    /// Also append the plain log, with timestamps, to FILE, whatever stderr shows
    #[arg(
        long,
        env = "PUTIO_UP_LOG_FILE",
        hide_env_values = true,
        value_name = "FILE"
    )]
    pub log_file: Option<PathBuf>,
}

/// What happens to files in flight at `--max-transfer` / `--max-duration`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CutoffMode {
    /// Files in flight finish
    Soft,
    /// Files in flight stop at once, to be resumed by the next run
    Hard,
}

/// A duration like [`parse_duration`], or `0` for "never".
pub fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    if text.trim().trim_end_matches(['s', 'm', 'h']) == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    parse_duration(text)
}

/// What .torrent and .magnet files become on put.io.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TorrentsMode {
    /// Store them as files
    File,
    /// Start a put.io transfer from each (a .magnet file holds a magnet link)
    Transfer,
}

const WATCH_HELP: &str = "\
Examples:
  putio-up watch ~/Outbox --to /Inbox               # keep ~/Outbox in /Inbox/Outbox
  putio-up watch ~/blackhole --to /Torrents --torrents transfer   # a torrent blackhole
  PUTIO_TOKEN=... putio-up watch /data --to /Backups --json       # as a service, events as JSON

It first uploads what is not on put.io yet (as `upload` does), then watches the folder and
uploads each new or changed file once it has settled: size and modification time unchanged
for --settle, and not open for writing. It never deletes anything on put.io: a file renamed or
moved locally is a new file there. Trouble that passes (put.io unreachable, 5xx, 429, a
revoked token) is said once and waited out; a full rescan runs every --rescan anyway.

SIGTERM stops it cleanly (exit 0), Ctrl-C too (exit 130); unfinished uploads resume on the
next start, which also picks up whatever changed while it was down.";

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub upload: UploadArgs,

    /// Send a file once its size and modification time have not changed for this long
    #[arg(long, env = "PUTIO_UP_SETTLE", hide_env_values = true, value_name = "DURATION", default_value = "5s",
          value_parser = parse_duration)]
    pub settle: std::time::Duration,

    /// Walk the whole folder this often, to catch what file events missed
    #[arg(long, env = "PUTIO_UP_RESCAN", hide_env_values = true, value_name = "DURATION", default_value = "1h",
          value_parser = parse_duration)]
    pub rescan: std::time::Duration,
}

/// Parses `123`, `64KiB`, `64MiB`, `1GiB`, `10MB`, `5k`, `8M` (binary units for the short forms).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size; try 64MiB or 8388608"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => return Err(format!("unknown size unit `{other}`; use KiB, MiB or GiB")),
    };
    let size = number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if size == 0 {
        return Err("the size must be greater than zero".into());
    }
    Ok(size)
}

/// Parses `90`, `90s`, `5m`, `1h` (whole numbers; no unit means seconds).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; try 90s, 5m or 1h"))?;
    let factor = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        other => return Err(format!("unknown time unit `{other}`; use s, m or h")),
    };
    let secs = number
        .checked_mul(factor)
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("`{text}` must be more than zero and not absurdly long"))?;
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn durations_parse() {
        use std::time::Duration;
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 fortnights").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }
}
