//! The loopback listener of the browser login: a tiny HTTP server on 127.0.0.1 that waits
//! for put.io to send the browser back to `/callback`.
//!
//! It answers only that path and only GET, ignores any callback whose `state` is not ours
//! (with an error page; the wait goes on), ends at the first callback with our state (a
//! code, or put.io's `error=`), and gives up after the timeout. The page reaches the browser
//! before the answer is handed on. Codes and states are never logged.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Result;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::exit::LoginFailed;
use crate::format::human_duration;

pub(super) const CALLBACK_PATH: &str = "/callback";
/// A connection that has not sent its request line by then is dropped (browsers open
/// speculative connections that never send anything).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// What a callback with our state brought.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Callback {
    Code(String),
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// How to answer one request to the listener.
#[derive(Debug, PartialEq, Eq)]
enum Judgement {
    NotFound,
    MethodNotAllowed,
    /// A callback that is not ours, or carries nothing: error page, keep waiting.
    Ignored(&'static str),
    Accepted(Callback),
}

/// Judges a request line such as `GET /callback?code=..&state=.. HTTP/1.1`.
fn judge(request_line: &str, expected_state: &str) -> Judgement {
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Judgement::NotFound;
    }
    if method != "GET" {
        return Judgement::MethodNotAllowed;
    }
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in oauth2::url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    match state {
        None => return Judgement::Ignored("it carries no state"),
        Some(state) if state != expected_state => {
            return Judgement::Ignored("its state is not the one putio-up sent");
        }
        Some(_) => {}
    }
    if let Some(error) = error.filter(|e| !e.is_empty()) {
        return Judgement::Accepted(Callback::Denied { error, description });
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => Judgement::Accepted(Callback::Code(code)),
        None => Judgement::Ignored("it carries neither a code nor an error"),
    }
}

type Slot = Arc<Mutex<Option<oneshot::Sender<Callback>>>>;

/// Serves the listener until one callback with our state arrives, or the timeout.
pub(super) async fn wait_for_callback(
    listener: TcpListener,
    expected_state: String,
    timeout: Duration,
) -> Result<Callback> {
    let (tx, rx) = oneshot::channel();
    let slot: Slot = Arc::new(Mutex::new(Some(tx)));
    let expected = Arc::new(expected_state);
    let accept = async {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream, expected.clone(), slot.clone()));
                }
                Err(err) => {
                    tracing::debug!("accepting a connection failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    };
    tokio::select! {
        callback = rx => callback.map_err(|_| anyhow::anyhow!("the callback listener stopped")),
        () = accept => unreachable!("the accept loop never ends"),
        () = tokio::time::sleep(timeout) => Err(LoginFailed::error(format!(
            "no answer from the browser within {}; run `putio-up login` again (a longer \
             --timeout may help), or use `putio-up login --device` or `--with-token`",
            human_duration(timeout)
        ))),
    }
}

/// Answers one connection: reads the request head, judges it, sends a small page, and hands
/// an accepted callback on once the page is out (so the browser sees it before we exit).
async fn serve(mut stream: TcpStream, expected: Arc<String>, slot: Slot) {
    let Ok(Some(line)) =
        tokio::time::timeout(REQUEST_TIMEOUT, read_request_line(&mut stream)).await
    else {
        return;
    };
    let judgement = judge(&line, &expected);
    let (status, title, text, accepted) = match judgement {
        Judgement::NotFound => (
            "404 Not Found",
            "Not found",
            "Nothing here.".to_owned(),
            None,
        ),
        Judgement::MethodNotAllowed => (
            "405 Method Not Allowed",
            "Not allowed",
            "Only GET is served here.".to_owned(),
            None,
        ),
        Judgement::Ignored(why) => {
            tracing::debug!("ignored a callback: {why}");
            (
                "400 Bad Request",
                "Not this login",
                format!(
                    "putio-up ignored this answer because {why}. Use the address that \
                     putio-up printed to log in; it is still waiting."
                ),
                None,
            )
        }
        Judgement::Accepted(callback) => {
            let sender = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
            match (&callback, sender.is_some()) {
                (_, false) => (
                    "200 OK",
                    "Already done",
                    "putio-up already received an answer. You can close this tab.".to_owned(),
                    None,
                ),
                (Callback::Code(_), true) => (
                    "200 OK",
                    "Logged in",
                    "putio-up received put.io's authorization. You can close this tab and \
                     return to the terminal."
                        .to_owned(),
                    sender.map(|s| (s, callback)),
                ),
                (Callback::Denied { error, .. }, true) => (
                    "200 OK",
                    "Not authorized",
                    format!(
                        "put.io did not authorize putio-up ({}). You can close this tab.",
                        html_escape(error)
                    ),
                    sender.map(|s| (s, callback)),
                ),
            }
        }
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>putio-up: {title}</title>\
         </head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p>\
         </body></html>\n"
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    if let Some((sender, callback)) = accepted {
        let _ = sender.send(callback);
    }
}

/// The first line of an HTTP request, or `None` if the connection sends no complete head.
async fn read_request_line(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > MAX_REQUEST_HEAD {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    text.lines().next().map(str::to_owned)
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_are_judged_by_path_method_and_state() {
        let ok = |line| judge(line, "st8");
        assert_eq!(
            ok("GET /callback?code=abc&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Code("abc".into()))
        );
        assert_eq!(
            ok("GET /callback?error=access_denied&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Denied {
                error: "access_denied".into(),
                description: None
            })
        );
        assert!(matches!(
            ok("GET /callback?code=abc&state=other HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert!(matches!(
            ok("GET /callback?code=abc HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        // A denial with a foreign state does not end the wait either.
        assert!(matches!(
            ok("GET /callback?error=access_denied&state=x HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert!(matches!(
            ok("GET /callback?state=st8 HTTP/1.1"),
            Judgement::Ignored(_)
        ));
        assert_eq!(ok("GET /favicon.ico HTTP/1.1"), Judgement::NotFound);
        assert_eq!(
            ok("POST /callback?code=a&state=st8 HTTP/1.1"),
            Judgement::MethodNotAllowed
        );
        assert_eq!(
            ok("GET /callback?code=a%2Bb&state=st8 HTTP/1.1"),
            Judgement::Accepted(Callback::Code("a+b".into()))
        );
    }

    #[test]
    fn pages_escape_what_the_query_brought() {
        assert_eq!(
            html_escape("<b>\"x\"&'"),
            "&lt;b&gt;&quot;x&quot;&amp;&#39;"
        );
    }
}
