//! The login endpoints: authorize (approve, deny, wrong state), the token exchange and its
//! checks, the redirect rules and strict parameters, the device-code flow, and that none of
//! them needs a token.

use crate::common::{World, error_type, json};
use fake_putio::{Authorize, OAuthApp, OAuthRules, PUTIO_UP_CALLBACK, RedirectRule};
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;

const REDIRECT: &str = "http://127.0.0.1:53683/callback";

/// A client that does not follow redirects, as we want to read them.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl World {
    /// Runs the authorize step with these extra parameters; returns the redirect's query.
    async fn authorize(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let app = self.fake.oauth_app();
        let mut query = vec![
            ("client_id", app.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", "s-123"),
        ];
        query.extend_from_slice(extra);
        let response = browser()
            .get(self.api("/v2/oauth2/authenticate"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert_eq!(
            location.as_str().split('?').next().unwrap(),
            REDIRECT,
            "redirects to the redirect_uri"
        );
        location.query_pairs().into_owned().collect()
    }

    /// The authorize request with this `redirect_uri` and extra parameters, unfollowed.
    async fn authorize_raw(&self, redirect: &str, extra: &[(&str, &str)]) -> Response {
        let app = self.fake.oauth_app();
        let mut query = vec![
            ("client_id", app.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("state", "s-1"),
        ];
        query.extend_from_slice(extra);
        browser()
            .get(self.api("/v2/oauth2/authenticate"))
            .query(&query)
            .send()
            .await
            .unwrap()
    }

    /// Authorizes with `redirect` (which must be accepted) and returns the code.
    async fn code_for(&self, redirect: &str) -> String {
        let response = self.authorize_raw(redirect, &[]).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{redirect}");
        let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(redirect), "{location}");
        location
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("a code")
    }

    async fn exchange(&self, pairs: &[(&str, &str)]) -> Response {
        self.http
            .post(self.api("/v2/oauth2/access_token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(crate::common::encode_form(pairs))
            .send()
            .await
            .unwrap()
    }
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn token_request<'a>(app: &'a OAuthApp, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code", code),
    ]
}

async fn oauth_error(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    body["error"].as_str().expect("error field").to_owned()
}

#[tokio::test]
async fn authorize_then_exchange_gives_the_token_once() {
    let w = World::new();
    w.fake.revoke_token();
    let answer = w.authorize(&[]).await;
    assert_eq!(get(&answer, "state"), Some("s-123"));
    let code = get(&answer, "code").expect("a code").to_owned();
    let app = w.fake.oauth_app();

    let response = w.exchange(&token_request(&app, &code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["access_token"], Value::from(w.fake.token()));
    // Logging in again makes a revoked token good again.
    assert_eq!(
        w.get("/v2/account/info").await.status(),
        StatusCode::OK,
        "issuing the token un-revokes it"
    );

    let again = w.exchange(&token_request(&app, &code)).await;
    assert_eq!(
        oauth_error(again).await,
        "access_denied",
        "codes are single use"
    );
}

#[tokio::test]
async fn exchange_by_get_with_query_parameters_works_too() {
    let w = World::new();
    let code = get(&w.authorize(&[]).await, "code").unwrap().to_owned();
    let app = w.fake.oauth_app();
    let response = w
        .http
        .get(w.api("/v2/oauth2/access_token"))
        .query(&token_request(&app, &code))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn exchange_checks_client_grant_type_and_redirect_uri() {
    let w = World::new();
    let app = w.fake.oauth_app();
    let cases: [(&str, &str, &str); 4] = [
        ("client_secret", "wrong", "unauthorized_client"),
        ("client_id", "999", "unauthorized_client"),
        ("grant_type", "password", "invalid_request"),
        (
            "redirect_uri",
            "http://127.0.0.1:1/callback",
            "invalid_request",
        ),
    ];
    for (key, value, want) in cases {
        let code = get(&w.authorize(&[]).await, "code").unwrap().to_owned();
        let mut request = token_request(&app, &code);
        for pair in &mut request {
            if pair.0 == key {
                pair.1 = value;
            }
        }
        assert_eq!(oauth_error(w.exchange(&request).await).await, want, "{key}");
        // The failed attempt spent the code.
        let retry = w.exchange(&token_request(&app, &code)).await;
        assert_eq!(oauth_error(retry).await, "access_denied");
    }
    let unknown = w.exchange(&token_request(&app, "nope")).await;
    assert_eq!(oauth_error(unknown).await, "access_denied");
}

#[tokio::test]
async fn pkce_is_checked_when_a_challenge_was_sent() {
    let w = World::new();
    let app = w.fake.oauth_app();
    // RFC 7636 appendix B: this verifier and its S256 challenge.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let pkce = [
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];

    let code = get(&w.authorize(&pkce).await, "code").unwrap().to_owned();
    let mut request = token_request(&app, &code);
    request.push(("code_verifier", "wrong-verifier"));
    assert_eq!(
        oauth_error(w.exchange(&request).await).await,
        "invalid_request"
    );

    let code = get(&w.authorize(&pkce).await, "code").unwrap().to_owned();
    let mut request = token_request(&app, &code);
    request.push(("code_verifier", verifier));
    let response = w.exchange(&request).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
}

#[tokio::test]
async fn authorize_can_deny_or_answer_with_a_wrong_state() {
    let w = World::new();
    w.fake.set_authorize(Authorize::Deny);
    let answer = w.authorize(&[]).await;
    assert_eq!(get(&answer, "error"), Some("access_denied"));
    assert_eq!(get(&answer, "state"), Some("s-123"));
    assert_eq!(get(&answer, "code"), None);

    w.fake.set_authorize(Authorize::WrongState);
    let answer = w.authorize(&[]).await;
    assert!(get(&answer, "code").is_some());
    assert_ne!(get(&answer, "state"), Some("s-123"));
}

#[tokio::test]
async fn authorize_rejects_unknown_clients_and_other_response_types() {
    let w = World::new();
    let app = w.fake.oauth_app();
    for query in [
        [
            ("client_id", "1"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
        ],
        [
            ("client_id", app.client_id.as_str()),
            ("response_type", "token"),
            ("redirect_uri", REDIRECT),
        ],
        [
            ("client_id", app.client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", "javascript:alert(1)"),
        ],
    ] {
        let response = browser()
            .get(w.api("/v2/oauth2/authenticate"))
            .query(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query:?}");
    }
}

#[tokio::test]
async fn the_oauth_app_can_be_replaced() {
    let w = World::new();
    let app = OAuthApp {
        client_id: "77".to_owned(),
        client_secret: "other".to_owned(),
    };
    w.fake.set_oauth_app(app.clone());
    assert_eq!(w.fake.oauth_app(), app);
    let code = get(&w.authorize(&[]).await, "code").unwrap().to_owned();
    assert_eq!(
        w.exchange(&token_request(&app, &code)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn device_code_is_approved_on_the_nth_poll() {
    let w = World::new();
    w.fake.set_device_approval_after(3);
    let app = w.fake.oauth_app();
    let response = w
        .http
        .get(w.api("/v2/oauth2/oob/code"))
        .query(&[
            ("app_id", app.client_id.as_str()),
            ("client_name", "putio-up@box"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "OK");
    let code = body["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(body["qr_code_url"].is_string());

    let poll = format!("/v2/oauth2/oob/code/{code}");
    for _ in 0..2 {
        let body = json(w.http.get(w.api(&poll)).send().await.unwrap()).await;
        assert!(body["oauth_token"].is_null(), "{body}");
    }
    let body = json(w.http.get(w.api(&poll)).send().await.unwrap()).await;
    assert_eq!(body["oauth_token"], Value::from(w.fake.token()));

    let logins = w.fake.device_logins();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].code, code);
    assert_eq!(logins[0].client_name.as_deref(), Some("putio-up@box"));
    assert_eq!(logins[0].polls, 3);
    assert!(logins[0].approved);
}

#[tokio::test]
async fn device_code_errors() {
    let w = World::new();
    w.fake.set_device_approval_after(0);
    let response = w
        .http
        .get(w.api("/v2/oauth2/oob/code?app_id=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let unknown = w
        .http
        .get(w.api("/v2/oauth2/oob/code/NOPE42"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let app = w.fake.oauth_app();
    let body = json(
        w.http
            .get(w.api(&format!("/v2/oauth2/oob/code?app_id={}", app.client_id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let code = body["code"].as_str().unwrap();
    for _ in 0..5 {
        let body = json(
            w.http
                .get(w.api(&format!("/v2/oauth2/oob/code/{code}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(body["oauth_token"].is_null(), "0 means never approve");
    }
}

#[tokio::test]
async fn login_routes_need_no_token_and_others_still_do() {
    let w = World::new();
    let stats_before = w.fake.stats().requests;
    let response = w
        .http
        .get(w.api("/v2/oauth2/oob/code/UNKNOWN"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "reaches the handler"
    );
    let response = w.http.get(w.api("/v2/account/info")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(w.fake.stats().requests, stats_before + 2);
}

/// The token request for `code` with this `redirect_uri`.
fn token_request_via<'a>(
    app: &'a OAuthApp,
    code: &'a str,
    redirect: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut request = token_request(app, code);
    for pair in &mut request {
        if pair.0 == "redirect_uri" {
            pair.1 = redirect;
        }
    }
    request
}

#[tokio::test]
async fn by_default_only_the_registered_callback_is_accepted_and_never_redirected_to_otherwise() {
    let w = World::new();
    assert_eq!(REDIRECT, PUTIO_UP_CALLBACK);
    assert_eq!(
        w.fake.oauth_rules(),
        OAuthRules {
            redirect: RedirectRule::Exact(PUTIO_UP_CALLBACK.to_owned()),
            strict_params: false,
        }
    );
    for other in [
        "http://127.0.0.1:53684/callback",
        "http://127.0.0.1:53683/callback/",
        "http://127.0.0.1:53683/other",
        "http://localhost:53683/callback",
        "https://127.0.0.1:53683/callback",
    ] {
        let response = w.authorize_raw(other, &[]).await;
        assert!(response.headers().get("location").is_none(), "{other}");
        assert_eq!(error_type(response, 400).await, "BadRequest", "{other}");
    }
    let code = w.code_for(PUTIO_UP_CALLBACK).await;
    let app = w.fake.oauth_app();
    assert_eq!(
        w.exchange(&token_request(&app, &code)).await.status(),
        StatusCode::OK
    );

    // A registered callback of one's own, through the options.
    let own = "https://example.invalid/putio/done";
    let w = World::with(fake_putio::Options {
        oauth: OAuthRules {
            redirect: RedirectRule::Exact(own.to_owned()),
            strict_params: false,
        },
        ..fake_putio::Options::default()
    });
    let code = w.code_for(own).await;
    let app = w.fake.oauth_app();
    let response = w.exchange(&token_request_via(&app, &code, own)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        w.authorize_raw(PUTIO_UP_CALLBACK, &[]).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn any_loopback_port_and_any_url_can_be_allowed() {
    let w = World::new();
    let app = w.fake.oauth_app();
    w.fake.set_oauth_rules(OAuthRules {
        redirect: RedirectRule::AnyLoopbackPort,
        strict_params: false,
    });
    for redirect in ["http://127.0.0.1:41234/callback", "http://[::1]:5/cb?x=1"] {
        let code = w.code_for(redirect).await;
        let response = w.exchange(&token_request_via(&app, &code, redirect)).await;
        assert_eq!(response.status(), StatusCode::OK, "{redirect}");
    }
    for refused in [
        "http://localhost:41234/callback",
        "http://192.0.2.1:41234/callback",
        "https://example.invalid/cb",
    ] {
        let response = w.authorize_raw(refused, &[]).await;
        assert!(response.headers().get("location").is_none(), "{refused}");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{refused}");
    }

    w.fake.set_oauth_rules(OAuthRules {
        redirect: RedirectRule::Any,
        strict_params: false,
    });
    let anywhere = "https://example.invalid/cb";
    let code = w.code_for(anywhere).await;
    assert_eq!(
        w.exchange(&token_request_via(&app, &code, anywhere))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        w.authorize_raw("javascript:alert(1)", &[]).await.status(),
        StatusCode::BAD_REQUEST
    );

    // The exchange checks the rule too: a code given out under a looser rule is refused once
    // the registered callback is exact again.
    let code = w.code_for(anywhere).await;
    w.fake.set_oauth_rules(OAuthRules::default());
    let refused = w.exchange(&token_request_via(&app, &code, anywhere)).await;
    assert_eq!(oauth_error(refused).await, "invalid_request");
}

#[tokio::test]
async fn strict_parameters_refuse_pkce_and_anything_else_put_io_clients_do_not_send() {
    let w = World::new();
    let app = w.fake.oauth_app();
    w.fake.set_oauth_rules(OAuthRules {
        strict_params: true,
        ..OAuthRules::default()
    });
    for extra in [
        [(
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )],
        [("code_challenge_method", "S256")],
        [("scope", "default")],
    ] {
        let response = w.authorize_raw(REDIRECT, &extra).await;
        assert!(response.headers().get("location").is_none(), "{extra:?}");
        assert_eq!(error_type(response, 400).await, "BadRequest", "{extra:?}");
    }
    // What put.io's clients send is fine, client_name included.
    let answer = w.authorize(&[("client_name", "putio-up@box")]).await;
    let code = get(&answer, "code").unwrap().to_owned();
    let mut request = token_request(&app, &code);
    request.push((
        "code_verifier",
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ));
    let refused = w.exchange(&request).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let body = json(refused).await;
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier"),
        "{body}"
    );

    let code = get(&w.authorize(&[]).await, "code").unwrap().to_owned();
    let response = w.exchange(&token_request(&app, &code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json(response).await["access_token"],
        Value::from(w.fake.token())
    );
}
