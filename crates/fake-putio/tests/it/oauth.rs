//! The login endpoints: authorize (approve, deny, wrong state), the token exchange and its
//! checks, the device-code flow, and that none of them needs a token.

use crate::common::{World, json};
use fake_putio::{Authorize, OAuthApp};
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
