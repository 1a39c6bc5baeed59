//! Formatting for people, on the ground floor: every layer may use it, it uses nothing of
//! ours. Sizes in binary units, durations, error chains on one line; it never prints.

/// 1536 → "1.5 KiB".
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// 300s → "5m", 90s → "90s": how long a wait is, as the person typed it.
pub fn human_duration(duration: std::time::Duration) -> String {
    let secs = duration.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// How long until done, coarse as people read it: "42s", "3m 20s", "2h 05m", "3d 4h".
pub fn human_eta(duration: std::time::Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m {:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d {}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// `path` in at most `width` characters: whole when it fits, else shortened in the middle
/// with `…`, keeping the start and, above all, the file name (`photos/…/IMG_0042.jpg`).
pub fn shorten_middle(path: &str, width: usize) -> String {
    let chars: Vec<char> = path.chars().collect();
    if chars.len() <= width {
        return path.to_owned();
    }
    if width == 0 {
        return String::new();
    }
    let name_len = path
        .rsplit('/')
        .next()
        .map_or(0, |name| name.chars().count());
    // `start…/name` when the name fits with room for a start; else the name alone, cut in
    // its middle so that both its start and its extension stay.
    if name_len + 2 < width {
        // Give the start up to a third of what is left, the rest to the end of the path.
        let spare = width - 1 - (name_len + 1);
        // A third of the room, or the first folder's whole name when it fits.
        let first = path.find('/').map_or(0, |at| path[..=at].chars().count());
        let head = (spare / 3).max(first.min(spare)).max(1).min(spare);
        let tail = width - 1 - head;
        let mut text: String = chars[..head].iter().collect();
        text.push('…');
        text.extend(&chars[chars.len() - tail..]);
        return text;
    }
    let name = &chars[chars.len() - name_len.min(chars.len())..];
    if name.len() <= width {
        return name.iter().collect();
    }
    let head = (width - 1) / 2;
    let tail = width - 1 - head;
    let mut text: String = name[..head].iter().collect();
    text.push('…');
    text.extend(&name[name.len() - tail..]);
    text
}

/// `err` with its causes on one line, skipping causes that repeat their parent's text.
pub fn one_line(err: &anyhow::Error) -> String {
    let mut out = String::new();
    let mut last = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || last.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
        last = text;
    }
    out
}

/// `1 attempt`, `2 attempts`: a count with its noun (plural by an `s`).
pub fn counted(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `text` safe to put on one line of a terminal or log: control characters (a newline in a
/// file name, an escape sequence) become visible escapes such as `\n` and `\x1b`, and a
/// backslash that could be mistaken for one is doubled only when the text needs escaping.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_char(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

fn push_char(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\\' => out.push_str("\\\\"),
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// A local path for people, on one line: like [`shown`], and bytes that are not UTF-8 (on
/// Unix) appear as `\xff`, so that a name put.io gets with U+FFFD visibly differs from it.
pub fn shown_path(path: &std::path::Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let valid = std::str::from_utf8(bytes).ok();
    if let Some(text) = valid {
        return shown(text).into_owned();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        let text = chunk.valid();
        if text.chars().any(char::is_control) {
            for c in text.chars() {
                push_char(&mut out, c);
            }
        } else {
            out.push_str(text);
        }
        for byte in chunk.invalid() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn control_characters_never_split_a_line() {
        assert_eq!(shown("plain name.txt"), "plain name.txt");
        assert_eq!(shown("new\nline\t\u{1b}[31m"), "new\\nline\\t\\u{1b}[31m");
        assert_eq!(shown_path(std::path::Path::new("/a/b\nc")), "/a/b\\nc");
    }

    #[cfg(unix)]
    #[test]
    fn bytes_that_are_not_utf8_show_as_escapes() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"/t/bad\xffname\n"));
        assert_eq!(shown_path(path), "/t/bad\\xffname\\n");
    }

    #[test]
    fn sizes_have_one_decimal() {
        assert_eq!(human_bytes(1_000_000), "976.6 KiB");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }

    #[test]
    fn etas_are_coarse() {
        assert_eq!(human_eta(Duration::from_secs(42)), "42s");
        assert_eq!(human_eta(Duration::from_secs(200)), "3m 20s");
        assert_eq!(human_eta(Duration::from_secs(7500)), "2h 05m");
        assert_eq!(
            human_eta(Duration::from_secs(3 * 86_400 + 4 * 3600)),
            "3d 4h"
        );
    }

    #[test]
    fn long_paths_keep_their_file_name() {
        let path = "photos/2026/holidays/norway/day-03/IMG_0042.jpg";
        assert_eq!(shorten_middle(path, 80), path);
        let short = shorten_middle(path, 30);
        assert_eq!(short.chars().count(), 30, "{short}");
        assert!(short.starts_with("photos/…"), "{short}");
        assert!(short.ends_with("/IMG_0042.jpg"), "{short}");
        assert!(short.contains('…'), "{short}");
        assert_eq!(shorten_middle(path, 13), "IMG_0042.jpg");
        let tiny = shorten_middle(path, 10);
        assert_eq!(tiny, "IMG_…2.jpg");
        let long = "a/IMG_0039-with-a-long-descriptive-name.jpg";
        assert_eq!(shorten_middle(long, 16), "IMG_003…name.jpg");
        assert_eq!(shorten_middle("a/b", 0), "");
    }
}
