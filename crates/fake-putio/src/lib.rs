//! A stateful fake of put.io: the API host (`/v2/...`) and the upload host (tus at `/files/`,
//! multipart at `/v2/files/upload`), each on its own 127.0.0.1 port, sharing one account.
//!
//! It follows `shared/putio-api.md`: token check on every call, put.io's error JSON, cursor
//! paging, duplicate names allowed, tus offsets with 409 on mismatch, completion headers and
//! CRC32 of the stored bytes. It can inject faults. Tests and benchmarks read its final state.
//!
//! This crate must never reach anything but loopback.
//!
//! CONTRACT (used by putio-up's tests; keep these signatures stable):
//! ```ignore
//! let fake = FakePutio::start(Options::default())?;      // own thread + tokio runtime
//! fake.api_url();      // "http://127.0.0.1:PORT"   (no trailing slash, no path)
//! fake.upload_url();   // "http://127.0.0.1:PORT2"
//! fake.token();        // the token the fake accepts
//! fake.tree();         // Vec<Entry>, sorted by path, every folder and file except root
//! fake.stats();        // request counts, bytes received
//! fake.set_faults(Faults { .. });
//! let id = fake.seed_folder(0, "Backups");                   // returns new id
//! let id = fake.seed_file(parent, "a.txt", b"content");
//! fake.file_bytes(id);  // Option<Vec<u8>> (None when discarding bytes)
//! fake.revoke_token();  // every later call gets 401
//! // Login endpoints (no token needed): authorize, token exchange, device code.
//! fake.oauth_app();     // OAuthApp { client_id, client_secret } the fake accepts
//! fake.set_authorize(Authorize::Deny);   // or Approve (default), WrongState
//! fake.set_device_approval_after(3);     // a device code is approved on its 3rd poll
//! fake.device_logins(); // Vec<DeviceLogin>: codes handed out, client_name, polls
//! fake.set_oauth_rules(OAuthRules { redirect: RedirectRule::AnyLoopbackPort, strict_params: true });
//! fake.set_unknowns(Unknowns { crc32: Crc32Visibility::Never, ..Unknowns::default() });
//! fake.transfers();     // Vec<Transfer>: id, name, save_parent_id, source, status
//! fake.deleted();       // Vec<Entry>: everything removed so far, in order
//! // Dropping the handle shuts the servers down.
//! ```
//! Also: `reset_stats`, `set_disk_size`, `start_on(options, api_port, upload_port)`,
//! `unknowns()`, `oauth_rules()`, `Options { unknowns, oauth, .. }` (the same switches from the
//! start), and `set_request_log(|line| ..)` (the binary's per-request log; never the token).
//! `tree()` always shows each file's real CRC32, whatever the API shows.
//!
//! Choices where `putio-api.md` marks the real behaviour UNKNOWN (clients must not rely on more).
//! Each has a switch in [`Unknowns`] (or [`OAuthRules`]) and a flag on the binary; the default
//! comes first:
//! - CRC32 (`crc32`, `--crc32 immediate|late:SECS|never`): filled in at once. `After(d)` /
//!   `Never`: `crc32` is null in every file object (the multipart answer, listings,
//!   `/files/{id}`, `/child?name=`) and the completing PATCH has no `putio-file-crc32`, until
//!   `d` after the file was stored / forever. Seeded files count as stored when seeded.
//! - Completed tus uploads (`forget_completed_uploads`, `--forget-completed-uploads`): stay
//!   known; HEAD says offset = length and an empty PATCH at that offset answers 204 again
//!   with `putio-file-id` and `putio-file-crc32`. Switched: HEAD / PATCH / DELETE answer 404.
//!   (`completion_without_file_id`, `--completion-without-file-id`): that repeated PATCH
//!   answers 204 with `Upload-Offset` only. The PATCH that completes the upload (also an
//!   empty one after a refused completion) always names the file.
//! - Torrents (`torrents_become_transfers`, `--torrents-become-transfers`): a `.torrent` sent by
//!   multipart, or by tus without `no-torrent: true`, becomes a transfer; `.magnet` is a plain
//!   file. Switched: every `.torrent` and `.magnet` upload becomes a transfer. A transfer stores
//!   no file; the tus 204 then has no `putio-file-id`, the multipart answer is
//!   `{"status":"OK","transfer":{..}}`. Transfers stay `IN_QUEUE`; `POST /v2/transfers/add`
//!   (`url`, `save_parent_id`), `GET /v2/transfers/list`, `GET /v2/transfers/{id}` and
//!   `POST /v2/transfers/cancel` (`transfer_ids`, removes them) serve them.
//! - Storage full (`full_answer`, `--full-answer 402|413|400|403`): `402`
//!   `NOT_ENOUGH_DISK_SPACE`; else 413 `REQUEST_ENTITY_TOO_LARGE`, 400 `UPLOAD_FAILED` (its
//!   message says nothing of disk or space) or 403 `STORAGE_LIMIT_EXCEEDED`. Checked at tus
//!   creation (used + `Upload-Length`), when the last byte lands, and for multipart uploads. A
//!   completion refused for quota leaves the upload at offset == length; an empty PATCH
//!   retries it.
//! - Inactive account (`account_inactive`, `--account-inactive`): active. Switched:
//!   `account_status` `"inactive"`, `account_active` false, and every write (create-folder,
//!   rename, delete, tus create / PATCH / DELETE, multipart upload, transfers/add) answers 402
//!   `PaymentRequired` (named like put.io's other generic types, `NotFound`, `BadRequest`; no
//!   client names the real one) after the token check; reads work.
//! - Delete (`delete_ignores_skip_nonexistents`, `--delete-ignores-skip-nonexistents`):
//!   `skip_nonexistents=1` counts unknown ids as `skipped`; switched, they are 404 anyway.
//! - Login redirect (`OAuthRules::redirect`, `--redirect exact|any-loopback-port|any`,
//!   `--registered-callback URI`): `Exact(PUTIO_UP_CALLBACK)`, putio-up's default callback
//!   `http://127.0.0.1:53683/callback`; `AnyLoopbackPort`: http on a loopback IP literal, any
//!   port and path (RFC 8252 §7.3; not `localhost`); `Any`: any http(s) URL. A refused
//!   `redirect_uri` gets 400 at authorize, never a redirect; the exchange must repeat the
//!   authorize one (else 400 `invalid_request`).
//! - Login parameters (`OAuthRules::strict_params`, `--oauth-strict`): unknown ones ignored
//!   and PKCE checked when a `code_challenge` was sent; strict, anything put.io's clients do
//!   not send (PKCE included) is 400 (authorize: error envelope; exchange: `invalid_request`).
//! - Rate limit: `429`, `error_type` `RATE_LIMITED`, every Nth request counted across both hosts
//!   since the last `set_faults`. 5xx faults use `InternalServerError`/`BadGateway`/
//!   `ServiceUnavailable`. Faults are applied before the token check.
//! - Cursors are self-contained (base64 of parent, filter, page size and the last name + id
//!   served): never expire, may be reused, and pages see the tree as it is when served.
//! - Listing order is name then id; `sort_by`, `hidden`, `breadcrumbs`, `no_cursor` are ignored.
//!   `file_type` filters (comma list). With duplicate names `/child?name=` returns the lowest id.
//! - Names: `EMPTY_NAME`, `SLASH_IN_NAME`, `INVALID_NAME` (NUL), `NAME_TOO_LONG` (> 255 bytes);
//!   compared byte for byte (no case folding, no Unicode normalisation).
//! - tus: metadata `parent_id` is required (400 without); `updated-at` must be RFC 3339 (400);
//!   `overwrite: true` replaces same-named *files* in the folder when the upload completes (the
//!   replaced files show in `deleted()`). A file is created the moment its last byte arrives, even if the answer is
//!   then lost. A newer PATCH at the right offset takes over from one still streaming. Unfinished
//!   uploads never expire. Early answers (409, 429, 401, ...) read the body away first, as a
//!   buffering proxy would, so clients see them instead of a reset.
//! - Delete has no trash and frees quota at once. Folder `size` is the total of the files below.
//! - `Stats::patch_bytes` counts bytes that went into uploads (cut-off bodies included, bodies of
//!   rejected `PATCH` requests not).
//!
//! Module map (each owns one thing; none reaches outside loopback):
//! Imports flow one way, top to bottom: `server` → the hosts' handlers (`api`, `tus`, `oauth`,
//! `control`) and `gate` → `app` → `state` → `model` → `unknowns` → `reply`.
//! - [`server`]: the [`FakePutio`] handle, its thread + runtime, the routers, the accept loops and
//!   the connection task that honours the kill switch ("drop the connection" faults).
//! - `model`: the public option and result types ([`Options`], [`Faults`], [`Entry`], ...).
//! - `app`: what every handler shares (the account behind its mutex, URLs, request log, trace
//!   ids) and the per-request kill switch.
//! - `state`: the account (folder tree, tus uploads, transfers, stats, fault RNG, logins) and
//!   put.io's JSON objects, behind one mutex; pure logic, no I/O and no awaiting. Split by job
//!   into `tree`, `uploads`, `transfers`, `faults`, `render` and `logins`.
//! - `gate`: middleware in front of both hosts: counting, faults, token check, inactive-account
//!   refusal, request log.
//! - [`unknowns`]: the switches for put.io's unknowns and the login rules, and the pure
//!   decisions that follow from them (which error, whether a CRC32 shows, which redirect).
//! - `api`: the API host's `/v2/...` routes. `tus`: tus and multipart uploads.
//! - `oauth`: the login endpoints (authorize, token exchange, device code); see its header for
//!   the choices made where put.io's behaviour is unknown.
//! - `control`: `/__fake/...` endpoints for benchmarks and manual use (no auth, no faults).
//! - `reply`, `params`, `time`: error envelope and body draining, request parameters, timestamps.

mod api;
mod app;
mod control;
mod gate;
mod model;
mod oauth;
mod params;
mod reply;
pub mod server;
mod state;
mod time;
mod tls;
mod tus;
pub mod unknowns;

pub use model::{
    Authorize, DeviceLogin, Entry, EntryKind, Faults, OAuthApp, Options, Stats, Transfer,
};
pub use server::FakePutio;
pub use unknowns::{
    Crc32Visibility, FullAnswer, OAuthRules, PUTIO_UP_CALLBACK, RedirectRule, Unknowns,
};
