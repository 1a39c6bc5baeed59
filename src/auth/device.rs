//! The device login for machines without a browser (put.io/link): get a short code for the
//! app id, show the link and the code, and poll every two seconds (as put.io's own CLI does)
//! until someone approves it on another device, or the timeout. Only the app id is needed,
//! no secret and no redirect.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::report::{Listener, Notice};
use crate::api::oauth::Public;
use crate::exit::LoginFailed;
use crate::format::human_duration;
use crate::secret::Token;

pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

pub async fn login(
    public: &Public,
    app_id: &str,
    web_url: &str,
    timeout: Duration,
    listener: &dyn Listener,
) -> Result<Token> {
    let host = gethostname::gethostname();
    let client_name = format!("putio-up@{}", host.to_string_lossy());
    let device = public
        .device_code(app_id, &client_name)
        .await
        .map_err(|err| {
            if err.status().is_some_and(|s| s.is_client_error()) {
                LoginFailed::error(format!(
                    "put.io would not start a device login for app id {app_id}: {err}; check \
                 PUTIO_CLIENT_ID"
                ))
            } else {
                anyhow::Error::new(err)
            }
        })?;
    let code = device.code.trim().to_owned();
    listener.notice(Notice::DeviceCode {
        link: &format!("{web_url}/link?code={code}"),
        code: &code,
        timeout,
    });
    let deadline = Instant::now() + timeout;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(LoginFailed::error(format!(
                "the code {code} was not approved within {}; run `putio-up login --device` \
                 again (a longer --timeout may help)",
                human_duration(timeout)
            )));
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
        match public.device_token(&code).await {
            Ok(Some(token)) => return Ok(token),
            Ok(None) => tracing::debug!("device code not approved yet"),
            Err(err) if err.is_transient() => {
                tracing::debug!("polling the device code failed, will retry: {err}");
            }
            Err(err) if err.status().is_some_and(|s| s.is_client_error()) => {
                return Err(LoginFailed::error(format!(
                    "put.io no longer knows the code {code} (it may have expired): {err}; run \
                     `putio-up login --device` again"
                )));
            }
            Err(err) => return Err(err.into()),
        }
    }
}
