//! Request parameters the way put.io's clients send them: query string, then a body that may be
//! form-urlencoded (most clients), JSON (go-putio's `/files/list/continue`) or multipart text
//! fields (kaput-cli). All become one string map; body values win over the query.

use std::collections::HashMap;

use axum::body::to_bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Uri, header};
use serde_json::Value;

use crate::reply::ApiError;

/// Parameter bodies are small; anything bigger is a client bug.
const MAX_PARAM_BODY: usize = 1 << 20;

#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub fn from_query(uri: &Uri) -> Self {
        let mut params = Self::default();
        if let Some(query) = uri.query() {
            params.add_urlencoded(query.as_bytes());
        }
        params
    }

    /// Query plus body, consuming the request.
    pub async fn from_request(req: Request) -> Result<Self, ApiError> {
        let mut params = Self::from_query(req.uri());
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("multipart/form-data") {
            let mut multipart = Multipart::from_request(req, &())
                .await
                .map_err(|e| ApiError::bad_request(format!("bad multipart body: {e}")))?;
            while let Some(field) = multipart
                .next_field()
                .await
                .map_err(|e| ApiError::bad_request(format!("bad multipart body: {e}")))?
            {
                let Some(name) = field.name().map(str::to_owned) else {
                    continue;
                };
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("bad multipart field: {e}")))?;
                params.0.insert(name, text);
            }
            return Ok(params);
        }
        let body = to_bytes(req.into_body(), MAX_PARAM_BODY)
            .await
            .map_err(|e| ApiError::bad_request(format!("cannot read body: {e}")))?;
        if body.is_empty() {
            return Ok(params);
        }
        if content_type.starts_with("application/json") {
            let value: Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("body is not valid JSON: {e}")))?;
            let Value::Object(map) = value else {
                return Err(ApiError::bad_request("JSON body must be an object"));
            };
            for (key, value) in map {
                if let Some(text) = json_to_text(&value) {
                    params.0.insert(key, text);
                }
            }
        } else {
            params.add_urlencoded(&body);
        }
        Ok(params)
    }

    fn add_urlencoded(&mut self, raw: &[u8]) {
        for (key, value) in form_urlencoded::parse(raw) {
            self.0.insert(key.into_owned(), value.into_owned());
        }
    }

    /// The first parameter name not in `known`, if any (for servers that refuse extras).
    pub fn unknown<'a>(&'a self, known: &[&str]) -> Option<&'a str> {
        let mut names: Vec<&str> = self.0.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter().find(|name| !known.contains(name))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// A present, non-empty value must be a decimal number.
    pub fn u64(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.get(key).map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request(format!("{key} must be a number"))),
        }
    }

    /// `1`, `true`, `yes` (any case) count as set.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
    }

    /// A comma-separated id list such as `file_ids=1,2,3`.
    pub fn id_list(&self, key: &str) -> Result<Vec<u64>, ApiError> {
        let Some(text) = self.get(key) else {
            return Ok(Vec::new());
        };
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse()
                    .map_err(|_| ApiError::bad_request(format!("{key} must list numbers")))
            })
            .collect()
    }
}

fn json_to_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_to_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}
