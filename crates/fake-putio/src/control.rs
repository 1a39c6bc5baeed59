//! `/__fake/...` on the API port: read the tree and stats, change faults, reset stats. For
//! benchmarks and people poking at the binary. No token, no faults, not counted in stats.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::app::App;
use crate::model::{EntryKind, Faults, Stats};
use crate::reply::{ApiError, json_response};

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/__fake/tree", get(tree))
        .route("/__fake/stats", get(stats))
        .route("/__fake/faults", get(faults).put(set_faults))
        .route("/__fake/reset-stats", post(reset_stats))
}

async fn tree(State(app): State<App>) -> Response {
    let entries: Vec<Value> = app
        .lock()
        .tree()
        .into_iter()
        .map(|e| {
            json!({
                "path": e.path,
                "id": e.id,
                "parent_id": e.parent_id,
                "kind": match e.kind { EntryKind::Folder => "folder", EntryKind::File => "file" },
                "size": e.size,
                "crc32": e.crc32,
            })
        })
        .collect();
    json_response(StatusCode::OK, &Value::from(entries))
}

fn stats_json(stats: &Stats) -> Value {
    json!({
        "requests": stats.requests,
        "by_route": stats.by_route,
        "patch_bytes": stats.patch_bytes,
        "uploads_created": stats.uploads_created,
        "faults_injected": stats.faults_injected,
    })
}

async fn stats(State(app): State<App>) -> Response {
    let stats = app.lock().stats.clone();
    json_response(StatusCode::OK, &stats_json(&stats))
}

async fn reset_stats(State(app): State<App>) -> StatusCode {
    app.lock().stats = Stats::default();
    StatusCode::NO_CONTENT
}

/// [`Faults`] on the wire; every field optional, latency in milliseconds.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FaultsBody {
    error_5xx: f64,
    rate_limit_every: u64,
    rate_limit_reset_secs: u64,
    drop: f64,
    latency_ms: u64,
    seed: u64,
}

fn faults_json(faults: &Faults) -> Value {
    json!({
        "error_5xx": faults.error_5xx,
        "rate_limit_every": faults.rate_limit_every,
        "rate_limit_reset_secs": faults.rate_limit_reset_secs,
        "drop": faults.drop,
        "latency_ms": u64::try_from(faults.latency.as_millis()).unwrap_or(u64::MAX),
        "seed": faults.seed,
    })
}

async fn faults(State(app): State<App>) -> Response {
    let faults = app.lock().faults().clone();
    json_response(StatusCode::OK, &faults_json(&faults))
}

async fn set_faults(State(app): State<App>, body: Bytes) -> Response {
    let wire: FaultsBody = match serde_json::from_slice(&body) {
        Ok(wire) => wire,
        Err(e) => return ApiError::bad_request(format!("bad faults JSON: {e}")).into_response(),
    };
    if !(0.0..=1.0).contains(&wire.error_5xx) || !(0.0..=1.0).contains(&wire.drop) {
        return ApiError::bad_request("error_5xx and drop are shares between 0 and 1")
            .into_response();
    }
    let faults = Faults {
        error_5xx: wire.error_5xx,
        rate_limit_every: wire.rate_limit_every,
        rate_limit_reset_secs: wire.rate_limit_reset_secs,
        drop: wire.drop,
        latency: Duration::from_millis(wire.latency_ms),
        seed: wire.seed,
        lose_answers: Vec::new(),
    };
    let mut state = app.lock();
    state.set_faults(faults);
    json_response(StatusCode::OK, &faults_json(state.faults()))
}
