//! What the doctor found: one [`Row`] per check, from a fixed catalogue (so every run lists
//! the same checks in the same order, run or not), and the table people read on stderr.
//!
//! It owns the wording of "what putio-up relies on" for every check; it never talks to put.io.

use std::fmt::Write as _;
use std::time::SystemTime;

use serde::Serialize;

use crate::ui::Palette;

/// How one check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// put.io did what putio-up relies on.
    Ok,
    /// put.io did something else, and putio-up relies on this: a bug report, please.
    Differs,
    /// Worth knowing; putio-up copes with either answer.
    Info,
    /// Not run: an earlier step failed, or the run was interrupted.
    Skipped,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "OK",
            Verdict::Differs => "DIFFERS",
            Verdict::Info => "INFO",
            Verdict::Skipped => "SKIPPED",
        }
    }

    fn painted(self, palette: Palette, padded: &str) -> String {
        match self {
            Verdict::Ok => palette.green(padded),
            Verdict::Differs => palette.red(padded),
            Verdict::Info => palette.yellow(padded),
            Verdict::Skipped => padded.to_owned(),
        }
    }
}

/// Every check, in the order they run: key (stable, for scripts), what is checked, and
/// what putio-up relies on.
pub const CATALOGUE: &[(&str, &str, &str)] = &[
    (
        "token",
        "token",
        "put.io accepts the token (account/info answers 200)",
    ),
    (
        "account.state",
        "account state",
        "account_status \"active\" / account_active true, so writes work",
    ),
    (
        "account.disk",
        "free space",
        "disk.avail in account/info, compared with what an upload needs",
    ),
    (
        "folder.create",
        "create a folder",
        "create-folder answers 200 with the new FOLDER and its id",
    ),
    (
        "small.answer",
        "one-request upload: answer",
        "`file` in the answer (not `transfer`), with id and size",
    ),
    (
        "small.crc32",
        "one-request upload: CRC32",
        "put.io's crc32 equals ours, at once or after a short wait (putio-up polls for it)",
    ),
    (
        "tus.location",
        "tus: Location",
        "201 with an absolute Location on a put.io host (the token is sent only there)",
    ),
    (
        "tus.empty.completion",
        "tus, 0 bytes: completing PATCH",
        "204 with putio-file-id (and putio-file-crc32)",
    ),
    (
        "tus.empty.crc32",
        "tus, 0 bytes: CRC32",
        "put.io's CRC32 equals ours (00000000), at once or after a short wait",
    ),
    (
        "tus.empty.head",
        "tus, 0 bytes: HEAD after completion",
        "200 with Upload-Offset = length; 404/410 is handled (putio-up looks in the folder)",
    ),
    (
        "tus.empty.patch",
        "tus, 0 bytes: empty PATCH after completion",
        "204 with putio-file-id; without it, or 404, putio-up looks in the folder",
    ),
    (
        "tus.large.completion",
        "tus, 5 MiB: completing PATCH",
        "204 with Upload-Offset = length and putio-file-id (and putio-file-crc32)",
    ),
    (
        "tus.large.crc32",
        "tus, 5 MiB: CRC32",
        "put.io's CRC32 equals ours, at once or after a short wait",
    ),
    (
        "tus.large.head",
        "tus, 5 MiB: HEAD after completion",
        "200 with Upload-Offset = length; 404/410 is handled (putio-up looks in the folder)",
    ),
    (
        "tus.large.patch",
        "tus, 5 MiB: empty PATCH after completion",
        "204 with putio-file-id; without it, or 404, putio-up looks in the folder",
    ),
    (
        "tus.torrent",
        "tus: a .torrent with no-torrent",
        "stored as a plain file (putio-file-id), no transfer started",
    ),
    (
        "tus.magnet",
        "tus: a .magnet with no-torrent",
        "stored as a plain file (putio-file-id), no transfer started",
    ),
    (
        "tus.full",
        "tus: larger than the free space",
        "refused with an error_type (putio-up calls the account full only when account/info \
         shows too little room)",
    ),
    (
        "list.cursor",
        "listing: per_page=2 of 3",
        "2 entries and a cursor; list/continue gives the 3rd and no cursor",
    ),
    (
        "folder.clash",
        "create-folder: name taken",
        "400 NAME_ALREADY_EXIST (putio-up then re-lists and takes the folder)",
    ),
    (
        "file.duplicate",
        "second file of the same name",
        "stored next to the first, which stays (putio-up checks names before uploading)",
    ),
    (
        "delete.own",
        "delete a file",
        "files/delete answers OK and the file is gone (404) after",
    ),
    (
        "delete.gone",
        "delete it again, skip_nonexistents=1",
        "OK with skipped = 1; a 404 is handled too (putio-up takes it as gone)",
    ),
    (
        "cleanup",
        "remove the temporary folder",
        "files/delete of the folder answers OK and the folder is gone (404) after",
    ),
];

/// The result of one check.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Row {
    pub key: &'static str,
    pub check: &'static str,
    pub relies_on: &'static str,
    pub observed: String,
    pub result: Verdict,
    /// When the check finished (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// `x-trace-id` of every answer the check is based on.
    pub trace_ids: Vec<String>,
    /// Raw facts: statuses, headers, timings.
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// All rows, in catalogue order.
#[derive(Debug, Default)]
pub(super) struct Report {
    rows: Vec<Row>,
}

impl Report {
    /// Records a check's result; a second result for the same check replaces the first.
    pub(super) fn set(
        &mut self,
        key: &'static str,
        result: Verdict,
        observed: impl Into<String>,
        trace_ids: Vec<String>,
        details: serde_json::Map<String, serde_json::Value>,
    ) {
        let (_, check, relies_on) = CATALOGUE
            .iter()
            .find(|(k, _, _)| *k == key)
            .copied()
            .unwrap_or_else(|| panic!("check `{key}` is not in the catalogue"));
        let row = Row {
            key,
            check,
            relies_on,
            observed: observed.into(),
            result,
            at: timestamp(SystemTime::now()),
            trace_ids,
            details,
        };
        self.rows.retain(|r| r.key != key);
        self.rows.push(row);
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.rows.iter().any(|r| r.key == key)
    }

    pub(super) fn get(&self, key: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// Marks every check without a result as skipped, for `reason`.
    pub(super) fn skip_rest(&mut self, reason: &str) {
        for (key, _, _) in CATALOGUE {
            if !self.has(key) {
                self.set(
                    key,
                    Verdict::Skipped,
                    format!("not run: {reason}"),
                    Vec::new(),
                    serde_json::Map::new(),
                );
            }
        }
    }

    /// The rows in catalogue order.
    pub(super) fn rows(&self) -> Vec<&Row> {
        CATALOGUE
            .iter()
            .filter_map(|(key, _, _)| self.get(key))
            .collect()
    }

    pub(super) fn count(&self, verdict: Verdict) -> usize {
        self.rows.iter().filter(|r| r.result == verdict).count()
    }
}

pub(super) fn timestamp(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

const RESULT_WIDTH: usize = 7;
const CHECK_WIDTH: usize = 26;
const RELIES_WIDTH: usize = 40;
const OBSERVED_WIDTH: usize = 44;

/// The table for stderr: RESULT, CHECK, PUTIO-UP RELIES ON, PUT.IO DID; long cells wrap
/// within their column, so it pastes into a bug report as it looks on a terminal.
pub(super) fn table(report: &Report, palette: Palette) -> String {
    let mut out = String::new();
    let header = [
        ("RESULT", RESULT_WIDTH),
        ("CHECK", CHECK_WIDTH),
        ("PUTIO-UP RELIES ON", RELIES_WIDTH),
        ("PUT.IO DID", OBSERVED_WIDTH),
    ];
    let line: Vec<String> = header
        .iter()
        .map(|(text, width)| format!("{text:<width$}"))
        .collect();
    out.push_str(line.join("  ").trim_end());
    out.push('\n');
    for row in report.rows() {
        let check = wrap(row.check, CHECK_WIDTH);
        let relies = wrap(row.relies_on, RELIES_WIDTH);
        let observed = wrap(&row.observed, OBSERVED_WIDTH);
        let height = check.len().max(relies.len()).max(observed.len());
        for i in 0..height {
            let result = if i == 0 {
                row.result
                    .painted(palette, &format!("{:<RESULT_WIDTH$}", row.result.label()))
            } else {
                " ".repeat(RESULT_WIDTH)
            };
            let cell = |lines: &[String], width: usize| {
                format!("{:<width$}", lines.get(i).map_or("", String::as_str))
            };
            let text = format!(
                "{result}  {}  {}  {}",
                cell(&check, CHECK_WIDTH),
                cell(&relies, RELIES_WIDTH),
                cell(&observed, OBSERVED_WIDTH)
            );
            out.push_str(text.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The closing line: how many checks came out how.
pub(super) fn verdict_line(report: &Report, palette: Palette) -> String {
    let differs = report.count(Verdict::Differs);
    let mut text = String::new();
    let _ = write!(
        text,
        "{} OK, {} DIFFERS, {} INFO",
        report.count(Verdict::Ok),
        differs,
        report.count(Verdict::Info)
    );
    let skipped = report.count(Verdict::Skipped);
    if skipped > 0 {
        let _ = write!(text, ", {skipped} SKIPPED");
    }
    if differs == 0 {
        text.push_str(": put.io does everything putio-up relies on");
        palette.green(&text)
    } else {
        text.push_str(
            ": put.io does not do what putio-up relies on; please report this with \
             `putio-up doctor --json`",
        );
        palette.red(&text)
    }
}

/// Greedy word wrap into lines of at most `width` characters; a word longer than that is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_width() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }

    #[test]
    fn catalogue_keys_are_unique_and_rows_follow_it() {
        let mut keys: Vec<_> = CATALOGUE.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), CATALOGUE.len());

        let mut report = Report::default();
        report.set(
            "cleanup",
            Verdict::Ok,
            "removed",
            vec![],
            serde_json::Map::new(),
        );
        report.set(
            "token",
            Verdict::Ok,
            "accepted",
            vec![],
            serde_json::Map::new(),
        );
        report.skip_rest("interrupted");
        let rows = report.rows();
        assert_eq!(rows.len(), CATALOGUE.len());
        assert_eq!(rows[0].key, "token");
        assert_eq!(rows.last().unwrap().key, "cleanup");
        assert_eq!(rows[1].result, Verdict::Skipped);
        let table = table(&report, Palette { enabled: false });
        assert!(table.starts_with("RESULT"));
        assert!(
            table
                .lines()
                .all(|l| l.chars().count() <= 7 + 26 + 40 + 44 + 6)
        );
    }
}
