//! The API host's `/v2/...` routes: account, listing with cursors, single-file lookups, folder
//! creation, delete, rename, transfers (add, list, get, cancel), token validation. Handlers parse parameters, call one `state`
//! method under the lock, and render put.io's JSON. (The gate has already checked the token.)
//!
//! The OAuth login endpoints, which take no token, live in `oauth`.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::Uri;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::app::App;
use crate::params::Params;
use crate::reply::{self, ApiError, Reply};
use crate::state::{self, ListQuery, ROOT_ID, USER_ID};

/// Page size when the client names none (what go-putio, kaput and putio.py send anyway).
const DEFAULT_PER_PAGE: usize = 1000;

pub(crate) fn routes() -> Router<App> {
    Router::new()
        // account
        .route("/v2/account/info", get(account_info))
        .route("/v2/account/settings", get(account_settings))
        // files
        .route("/v2/files/list", get(list))
        .route("/v2/files/list/continue", post(list_continue))
        .route("/v2/files/create-folder", post(create_folder))
        .route("/v2/files/delete", post(delete))
        .route("/v2/files/rename", post(rename))
        .route("/v2/files/{id}", get(get_file))
        .route("/v2/files/{id}/child", get(child))
        // transfers
        .route("/v2/transfers/add", post(add_transfer))
        .route("/v2/transfers/list", get(list_transfers))
        .route("/v2/transfers/cancel", post(cancel_transfers))
        .route("/v2/transfers/{id}", get(get_transfer))
        // oauth
        .route("/v2/oauth2/validate", get(validate))
}

async fn account_info(State(app): State<App>) -> Reply {
    let info = app.lock().account_info();
    Ok(reply::ok(json!({ "info": info })))
}

async fn account_settings() -> Reply {
    Ok(reply::ok(json!({ "settings": state::settings() })))
}

async fn validate() -> Reply {
    Ok(reply::ok(json!({
        "result": true,
        "token_id": 1,
        "token_scope": "default",
        "user_id": USER_ID,
    })))
}

/// Where a listing stopped. Sent to clients as opaque base64 of this JSON. It names the last
/// entry served rather than a position, so it stays valid (and reusable, e.g. by a client
/// retrying after a lost answer) and each page reflects the tree when it is served.
#[derive(Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "p")]
    parent_id: u64,
    #[serde(rename = "t")]
    file_types: Option<Vec<String>>,
    #[serde(rename = "n")]
    per_page: usize,
    #[serde(rename = "k")]
    after: (String, u64),
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursor serializes"))
    }

    fn decode(text: &str) -> Result<Self, ApiError> {
        URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .ok_or_else(|| ApiError::bad_request("invalid cursor"))
    }
}

fn per_page(requested: Option<u64>, fallback: usize, max: usize) -> usize {
    requested
        .map_or(fallback, |n| usize::try_from(n).unwrap_or(usize::MAX))
        .clamp(1, max)
}

/// One listing page as put.io sends it; the files are JSON text already.
#[derive(Serialize)]
struct ListBody {
    files: Box<RawValue>,
    cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<usize>,
    /// `/files/list` names the folder listed (null if it has none); a continued page does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Value>,
    status: &'static str,
}

/// Serves one page, with `total` when asked.
fn page(app: &App, query: &ListQuery, with_total: bool) -> Result<ListBody, ApiError> {
    let state = app.lock();
    let page = state.list(query)?;
    let cursor = page.next.map(|after| {
        Cursor {
            parent_id: query.parent_id,
            file_types: query.file_types.clone(),
            per_page: query.per_page,
            after,
        }
        .encode()
    });
    Ok(ListBody {
        files: page.files,
        cursor,
        total: with_total.then_some(page.total),
        parent: None,
        status: "OK",
    })
}

async fn list(State(app): State<App>, uri: Uri) -> Reply {
    let params = Params::from_query(&uri);
    let parent_id = params.u64("parent_id")?.unwrap_or(ROOT_ID);
    let file_types = params
        .get("file_type")
        .map(|types| {
            types
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|types| !types.is_empty());
    let max = app.lock().per_page_max;
    let query = ListQuery {
        parent_id,
        file_types,
        per_page: per_page(params.u64("per_page")?, DEFAULT_PER_PAGE, max),
        after: None,
    };
    let mut body = page(&app, &query, params.flag("total"))?;
    body.parent = Some(app.lock().file_json(parent_id).unwrap_or(Value::Null));
    Ok(reply::typed(&body))
}

/// `cursor` as form field, JSON field or query; `per_page` from the request, else the first page's.
async fn list_continue(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let cursor = params
        .get("cursor")
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("cursor is required"))?;
    let cursor = Cursor::decode(cursor)?;
    let max = app.lock().per_page_max;
    let query = ListQuery {
        parent_id: cursor.parent_id,
        file_types: cursor.file_types,
        per_page: per_page(params.u64("per_page")?, cursor.per_page, max),
        after: Some(cursor.after),
    };
    Ok(reply::typed(&page(&app, &query, params.flag("total"))?))
}

fn parse_id(text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::not_found(format!("no file with id {text:?}")))
}

async fn get_file(State(app): State<App>, Path(id): Path<String>) -> Reply {
    let id = parse_id(&id)?;
    let file = app
        .lock()
        .file_json(id)
        .ok_or_else(|| ApiError::not_found(format!("no file with id {id}")))?;
    Ok(reply::ok(json!({ "file": file })))
}

async fn child(State(app): State<App>, Path(parent): Path<String>, uri: Uri) -> Reply {
    let parent_id = parse_id(&parent)?;
    let params = Params::from_query(&uri);
    let name = params
        .get("name")
        .ok_or_else(|| ApiError::bad_request("name is required"))?;
    let file = app.lock().child_named(parent_id, name)?;
    Ok(reply::ok(json!({ "file": file })))
}

async fn create_folder(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let parent_id = params.u64("parent_id")?.unwrap_or(ROOT_ID);
    let name = params.get("name").unwrap_or("");
    let mut state = app.lock();
    let id = state.create_folder(parent_id, name)?;
    Ok(reply::ok(json!({ "file": state.file_json(id) })))
}

/// `file_ids=1,2` (or `file_id=1`); folders go with everything below them. No trash.
async fn delete(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let mut ids = params.id_list("file_ids")?;
    ids.extend(params.id_list("file_id")?);
    let skipped = app.lock().delete(&ids, params.flag("skip_nonexistents"))?;
    Ok(reply::ok(json!({ "cursor": null, "skipped": skipped })))
}

async fn rename(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let id = params
        .u64("file_id")?
        .ok_or_else(|| ApiError::bad_request("file_id is required"))?;
    app.lock().rename(id, params.get("name").unwrap_or(""))?;
    Ok(reply::ok(json!({})))
}

/// `url` (a magnet URI or an http(s) link) and `save_parent_id` (default: root); an optional
/// `callback_url` is accepted and never called.
async fn add_transfer(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let url = params
        .get("url")
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("url is required"))?;
    let parent_id = params.u64("save_parent_id")?.unwrap_or(ROOT_ID);
    let transfer = app.lock().add_transfer(url, parent_id)?;
    Ok(reply::ok(json!({ "transfer": transfer })))
}

/// `transfer_ids` (comma list): the transfers are removed; unknown ids are ignored.
async fn cancel_transfers(State(app): State<App>, req: Request) -> Reply {
    let params = Params::from_request(req).await?;
    let ids: Vec<u64> = params
        .get("transfer_ids")
        .unwrap_or("")
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad_request("transfer_ids is required"));
    }
    app.lock().cancel_transfers(&ids);
    Ok(reply::ok(json!({})))
}

async fn list_transfers(State(app): State<App>) -> Reply {
    let transfers = app.lock().transfers_json();
    Ok(reply::ok(json!({ "transfers": transfers })))
}

async fn get_transfer(State(app): State<App>, Path(id): Path<String>) -> Reply {
    let transfer = id
        .parse()
        .ok()
        .and_then(|id| app.lock().transfer_json(id))
        .ok_or_else(|| ApiError::not_found(format!("no transfer with id {id:?}")))?;
    Ok(reply::ok(json!({ "transfer": transfer })))
}
