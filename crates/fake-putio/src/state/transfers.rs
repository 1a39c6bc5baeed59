//! Transfers: uploads that put.io would download instead of store, and `transfers/add` links.

use serde_json::Value;

use super::State;
use super::render::transfer_object;
use crate::model::Transfer;
use crate::reply::ApiError;

impl State {
    /// Whether an upload of this name turns into a transfer instead of a file.
    pub(super) fn becomes_transfer(&self, name: &str, no_torrent: bool) -> bool {
        let lower = name.to_ascii_lowercase();
        if self.unknowns.torrents_become_transfers {
            lower.ends_with(".torrent") || lower.ends_with(".magnet")
        } else {
            !no_torrent && lower.ends_with(".torrent")
        }
    }

    /// Records a new transfer and returns its JSON object.
    pub(super) fn start_transfer(
        &mut self,
        name: &str,
        save_parent_id: u64,
        source: String,
    ) -> Value {
        let transfer = Transfer {
            id: self.transfers.len() as u64 + 1,
            name: name.to_owned(),
            save_parent_id,
            source,
            status: "IN_QUEUE".to_owned(),
        };
        let object = transfer_object(&transfer);
        self.transfers.push(transfer);
        object
    }

    /// `POST /v2/transfers/add`: `url` is a magnet URI or an http(s) link.
    pub fn add_transfer(&mut self, url: &str, save_parent_id: u64) -> Result<Value, ApiError> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("magnet:?")
            || lower.starts_with("http://")
            || lower.starts_with("https://"))
        {
            return Err(ApiError::bad_request(
                "url must be a magnet URI or an http(s) link",
            ));
        }
        self.folder(save_parent_id)?;
        Ok(self.start_transfer(&link_name(url), save_parent_id, url.to_owned()))
    }

    pub fn transfer_json(&self, id: u64) -> Option<Value> {
        self.transfers
            .iter()
            .find(|t| t.id == id)
            .map(transfer_object)
    }

    /// `POST /v2/transfers/cancel`: cancelled transfers leave the list.
    pub fn cancel_transfers(&mut self, ids: &[u64]) {
        self.transfers.retain(|t| !ids.contains(&t.id));
    }

    pub fn transfers_json(&self) -> Vec<Value> {
        self.transfers.iter().map(transfer_object).collect()
    }
}

/// A transfer's name from its link: a magnet's `dn`, else the URL's last path segment.
fn link_name(url: &str) -> String {
    let magnet_query = url
        .get(..8)
        .filter(|prefix| prefix.eq_ignore_ascii_case("magnet:?"))
        .map(|_| &url[8..]);
    if let Some(query) = magnet_query {
        let dn = form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "dn")
            .map(|(_, value)| value.into_owned());
        return dn
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| url.to_owned());
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|segment| !segment.is_empty() && !segment.contains(':'))
        .map_or_else(|| url.to_owned(), str::to_owned)
}
