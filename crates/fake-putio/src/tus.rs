//! Uploads on the upload host: tus 1.0.0 (creation at `/files/`, then HEAD / PATCH / DELETE on
//! the returned URL) and the simple multipart `POST /v2/files/upload` (also mounted on the API
//! host).
//!
//! Bodies are streamed, never buffered whole: every PATCH chunk goes into the upload (offset,
//! running CRC32, bytes when storing) the moment it arrives, under a short lock, so a connection
//! that dies mid-body leaves exactly the received bytes behind, as tus promises. A PATCH that the
//! gate marked with a [`DropPlan`] stops reading at a random point and kills its own connection.

use std::collections::HashMap;

use axum::Router;
use axum::body::BodyDataStream;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{head, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::StreamExt;

use crate::app::{App, KillSwitch};
use crate::gate::DropPlan;
use crate::params::Params;
use crate::reply::{self, ApiError, Reply};
use crate::state::{self, NewUpload, ROOT_ID};
use crate::time;

const TUS_VERSION: &str = "1.0.0";
const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

pub(crate) fn routes() -> Router<App> {
    Router::new()
        .route("/files/", post(create).options(capabilities))
        .route("/files", post(create).options(capabilities))
        .route("/files/{id}", head(status).patch(patch).delete(terminate))
}

pub(crate) fn multipart_routes() -> Router<App> {
    Router::new().route("/v2/files/upload", post(multipart_upload))
}

/// Builds a tus response: status, `Tus-Resumable`, plus `extra` headers.
fn tus_response(status: StatusCode, extra: &[(&'static str, String)]) -> Response {
    let mut response = status.into_response();
    let headers = response.headers_mut();
    headers.insert("tus-resumable", HeaderValue::from_static(TUS_VERSION));
    for (name, value) in extra {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

async fn capabilities() -> Response {
    tus_response(
        StatusCode::NO_CONTENT,
        &[
            ("tus-version", TUS_VERSION.to_owned()),
            ("tus-extension", "creation,termination".to_owned()),
        ],
    )
}

/// A decimal header; absent is `None`, anything else but digits is 400.
fn header_u64(headers: &HeaderMap, name: &str) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|text| text.parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad_request(format!("{name} must be a non-negative integer")))
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs; a key may come without a value.
fn parse_metadata(headers: &HeaderMap) -> Result<HashMap<String, String>, ApiError> {
    let mut metadata = HashMap::new();
    let Some(raw) = headers.get("upload-metadata") else {
        return Ok(metadata);
    };
    let raw = raw
        .to_str()
        .map_err(|_| ApiError::bad_request("Upload-Metadata is not ASCII"))?;
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, encoded) = pair.split_once(' ').unwrap_or((pair, ""));
        let decoded = STANDARD
            .decode(encoded.trim())
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata {key}: bad base64")))?;
        let value = String::from_utf8(decoded)
            .map_err(|_| ApiError::bad_request(format!("Upload-Metadata {key}: not UTF-8")))?;
        metadata.insert(key.to_owned(), value);
    }
    Ok(metadata)
}

fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
}

/// tus creation. Needs `Upload-Length` and metadata `name` + `parent_id`; `updated-at`,
/// `no-torrent` and `overwrite` are optional. `Tus-Resumable` may be absent (go-putio omits it).
async fn create(State(app): State<App>, headers: HeaderMap) -> Reply {
    let length = header_u64(&headers, "upload-length")?
        .ok_or_else(|| ApiError::bad_request("Upload-Length is required"))?;
    let metadata = parse_metadata(&headers)?;
    let name = metadata.get("name").cloned().unwrap_or_default();
    state::validate_name(&name)?;
    let parent_id = metadata
        .get("parent_id")
        .ok_or_else(|| ApiError::bad_request("Upload-Metadata parent_id is required"))?
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request("Upload-Metadata parent_id must be a number"))?;
    let updated_at = metadata
        .get("updated-at")
        .map(|text| {
            time::parse_rfc3339(text.trim())
                .ok_or_else(|| ApiError::bad_request("Upload-Metadata updated-at must be RFC 3339"))
        })
        .transpose()?;
    let key = format!("{:032x}", rand::random::<u128>());
    app.lock().create_upload(
        key.clone(),
        NewUpload {
            parent_id,
            name,
            length,
            updated_at,
            overwrite: is_true(metadata.get("overwrite")),
            no_torrent: is_true(metadata.get("no-torrent")),
        },
    )?;
    Ok(tus_response(
        StatusCode::CREATED,
        &[("location", format!("{}/files/{key}", app.upload_url))],
    ))
}

async fn status(State(app): State<App>, Path(key): Path<String>) -> Reply {
    let (offset, length) = app
        .lock()
        .upload_status(&key)
        .ok_or_else(|| ApiError::not_found("no such upload"))?;
    Ok(tus_response(
        StatusCode::OK,
        &[
            ("upload-offset", offset.to_string()),
            ("upload-length", length.to_string()),
            ("cache-control", "no-store".to_owned()),
        ],
    ))
}

async fn terminate(State(app): State<App>, Path(key): Path<String>) -> Reply {
    if app.lock().delete_upload(&key) {
        Ok(tus_response(StatusCode::NO_CONTENT, &[]))
    } else {
        Err(ApiError::not_found("no such upload"))
    }
}

async fn patch(State(app): State<App>, Path(key): Path<String>, req: Request) -> Reply {
    let (parts, body) = req.into_parts();
    let mut body = body.into_data_stream();
    let result = stream_patch(&app, &key, &parts, &mut body).await;
    if result.is_err() {
        reply::drain(&parts.headers, &mut body).await;
    }
    result
}

/// Checks a PATCH, then moves its body into the upload chunk by chunk.
async fn stream_patch(app: &App, key: &str, parts: &Parts, body: &mut BodyDataStream) -> Reply {
    let headers = &parts.headers;
    if app.lock().upload_status(key).is_none() {
        return Err(ApiError::not_found("no such upload"));
    }
    let content_type_ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(OFFSET_OCTET_STREAM));
    if !content_type_ok {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!("Content-Type must be {OFFSET_OCTET_STREAM}"),
        ));
    }
    let offset = header_u64(headers, "upload-offset")?
        .ok_or_else(|| ApiError::bad_request("Upload-Offset is required"))?;
    let content_length = header_u64(headers, "content-length")?;
    let (generation, remaining) = app.lock().patch_begin(key, offset, content_length)?;

    // A drop fault reads this many body bytes, then hangs up.
    let drop_plan = parts.extensions.get::<DropPlan>();
    let kill = parts.extensions.get::<KillSwitch>();
    let cutoff = drop_plan.map(|plan| {
        let expected = content_length.unwrap_or(remaining);
        ((plan.fraction * expected as f64) as u64).min(expected)
    });
    let mut read = 0u64;
    let started = std::time::Instant::now();
    loop {
        let rate = app.lock().hooks.patch_rate;
        if let Some(rate) = rate {
            let due = std::time::Duration::from_secs_f64(read as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        if let (Some(cutoff), Some(kill)) = (cutoff, kill)
            && read >= cutoff
        {
            return Ok(kill.kill(StatusCode::NO_CONTENT.into_response()).await);
        }
        let Some(chunk) = body.next().await else {
            break;
        };
        let mut chunk = chunk.map_err(|e| ApiError::bad_request(format!("body cut off: {e}")))?;
        if let Some(cutoff) = cutoff {
            chunk.truncate(usize::try_from(cutoff - read).unwrap_or(usize::MAX));
        }
        read += chunk.len() as u64;
        app.lock().patch_chunk(key, generation, &chunk)?;
    }
    let finished = app.lock().patch_finish(key, generation)?;
    let mut extra = vec![("upload-offset", finished.offset.to_string())];
    if let Some(id) = finished.file_id {
        extra.push(("putio-file-id", id.to_string()));
    }
    if let Some(crc32) = finished.crc32 {
        extra.push(("putio-file-crc32", state::hex(crc32)));
    }
    Ok(tus_response(StatusCode::NO_CONTENT, &extra))
}

/// `multipart/form-data` with a `file` part (its filename names the file unless a `filename`
/// field says otherwise) and `parent_id` (default: root). Parts may come in any order, so the
/// file is streamed into a CRC32 (and kept only when storing bytes) before the target is checked.
async fn multipart_upload(State(app): State<App>, req: Request) -> Reply {
    let query = Params::from_query(req.uri());
    let mut parent_id = query.u64("parent_id")?;
    let mut name_override = query.get("filename").map(str::to_owned);
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|e| ApiError::bad_request(format!("expected a multipart body: {e}")))?;
    let bad_part = |e: axum::extract::multipart::MultipartError| {
        ApiError::bad_request(format!("bad multipart body: {e}"))
    };
    let store = app.lock().store_bytes();
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_part)? {
        match field.name().unwrap_or("") {
            "file" => {
                let part_name = field.file_name().unwrap_or("").to_owned();
                let mut hasher = crc32fast::Hasher::new();
                let mut size = 0u64;
                let mut data = store.then(Vec::new);
                while let Some(chunk) = field.chunk().await.map_err(bad_part)? {
                    hasher.update(&chunk);
                    size += chunk.len() as u64;
                    if let Some(data) = &mut data {
                        data.extend_from_slice(&chunk);
                    }
                }
                file = Some((part_name, size, hasher.finalize(), data));
            }
            "filename" => name_override = Some(field.text().await.map_err(bad_part)?),
            "parent_id" => {
                let text = field.text().await.map_err(bad_part)?;
                parent_id = Some(
                    text.trim()
                        .parse()
                        .map_err(|_| ApiError::bad_request("parent_id must be a number"))?,
                );
            }
            _ => {}
        }
    }
    let (part_name, size, crc32, data) =
        file.ok_or_else(|| ApiError::bad_request("a `file` part is required"))?;
    let name = name_override.filter(|n| !n.is_empty()).unwrap_or(part_name);
    state::validate_name(&name)?;
    let body =
        app.lock()
            .finish_multipart(parent_id.unwrap_or(ROOT_ID), &name, size, crc32, data)?;
    Ok(reply::ok(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_pairs_and_bare_keys() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "upload-metadata",
            HeaderValue::from_static("name YS50eHQ=, parent_id MTI=,no-torrent dHJ1ZQ==,flag"),
        );
        let metadata = parse_metadata(&headers).unwrap();
        assert_eq!(metadata["name"], "a.txt");
        assert_eq!(metadata["parent_id"], "12");
        assert_eq!(metadata["no-torrent"], "true");
        assert_eq!(metadata["flag"], "");
    }

    #[test]
    fn bad_base64_is_rejected() {
        let mut headers = HeaderMap::new();
        headers.insert("upload-metadata", HeaderValue::from_static("name !!!"));
        assert!(parse_metadata(&headers).is_err());
    }
}
