//! `doctor --json`: the whole report as one JSON document, to paste into a bug report. Same
//! checks, words and results as the table, plus the raw details and every trace id put.io
//! sent. It never holds the token: nothing here sees a request, only what put.io answered.

use serde::Serialize;

use super::report::{Report, Row, Verdict};

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
pub(super) const SCHEMA: u32 = 1;

#[derive(Serialize)]
pub(super) struct Document<'a> {
    pub schema: u32,
    pub putio_up_version: &'static str,
    pub started_at: String,
    pub finished_at: String,
    pub api_url: &'a str,
    pub upload_url: &'a str,
    /// The folder the temporary folder was made in (0: the account root).
    pub parent_id: u64,
    pub folder: Folder<'a>,
    pub interrupted: bool,
    /// True when every check putio-up relies on holds (no `DIFFERS`).
    pub ok: bool,
    pub exit_code: u8,
    pub counts: Counts,
    pub checks: Vec<&'a Row>,
    /// Every `x-trace-id` of the run, in order, without repeats.
    pub trace_ids: Vec<&'a str>,
}

#[derive(Serialize)]
pub(super) struct Folder<'a> {
    pub name: &'a str,
    /// `null` when it was never created (or its answer was lost and it was not found).
    pub id: Option<u64>,
    pub removed: bool,
}

#[derive(Serialize)]
pub(super) struct Counts {
    pub ok: usize,
    pub differs: usize,
    pub info: usize,
    pub skipped: usize,
}

impl Counts {
    pub(super) fn of(report: &Report) -> Self {
        Counts {
            ok: report.count(Verdict::Ok),
            differs: report.count(Verdict::Differs),
            info: report.count(Verdict::Info),
            skipped: report.count(Verdict::Skipped),
        }
    }
}

/// Every trace id of the rows, first appearance first.
pub(super) fn trace_ids<'a>(rows: &[&'a Row]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for id in rows.iter().flat_map(|r| r.trace_ids.iter()) {
        if !out.contains(&id.as_str()) {
            out.push(id);
        }
    }
    out
}

pub(super) fn render(document: &Document<'_>) -> String {
    serde_json::to_string_pretty(document).expect("the report serializes")
}
