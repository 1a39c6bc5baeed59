//! Reading `--json` output in tests: every line checked for the fields all lines share.

use serde_json::Value;

/// Every stdout line parsed as JSON: the test fails on anything that is not one object with
/// `type`, `ts` (RFC 3339 UTC with milliseconds) and `dry_run`.
pub fn json_lines(out: &std::process::Output, dry_run: bool) -> Vec<Value> {
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    assert!(
        stdout.ends_with('\n'),
        "stdout ends with a full line: {stdout:?}"
    );
    stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not JSON ({err}): {line:?}"));
            assert!(value["type"].is_string(), "{line}");
            let ts = value["ts"]
                .as_str()
                .unwrap_or_else(|| panic!("no ts: {line}"));
            let b = ts.as_bytes();
            assert!(
                b.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && b[23] == b'Z',
                "ts is RFC 3339 UTC with ms: {ts}"
            );
            assert_eq!(value["dry_run"], dry_run, "{line}");
            value
        })
        .collect()
}

pub fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}
