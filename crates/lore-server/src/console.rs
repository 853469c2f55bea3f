//! The web console: pages at `/`, `/decisions`, `/waiting`, `/health`,
//! `/search` and `/source`, from assets embedded in the binary. Each page is
//! a small HTML shell; its script reads the JSON API under `/v1` with the
//! same session, so the console decides nothing the API does not.
//!
//! With API tokens, `/signin` takes a token and keeps it in an HttpOnly,
//! SameSite=Strict cookie; a second cookie, readable by the page, holds a
//! random value the page echoes in the `x-lore-csrf` header of every
//! state-changing request (double submit), and the API refuses a cookie's
//! request without it. Without tokens (loopback only) the console is open.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::config::{Caller, Role, Settings};

/// The cookie holding the signed-in token, hex-encoded.
pub const SESSION_COOKIE: &str = "lore_session";
/// The cookie holding the CSRF value the page echoes.
pub const CSRF_COOKIE: &str = "lore_csrf";
/// The header a cookie's state-changing request carries the CSRF value in.
pub const CSRF_HEADER: &str = "x-lore-csrf";
/// How long a sign-in lasts.
const SESSION_SECONDS: u32 = 12 * 60 * 60;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Everything the pages load; nothing comes from elsewhere.
const ASSETS: &[Asset] = &[
    Asset {
        name: "console.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/console.css"),
    },
    Asset {
        name: "console.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/console.js"),
    },
    Asset {
        name: "cytoscape.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/cytoscape.min.js"),
    },
    Asset {
        name: "cytoscape.LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/cytoscape.LICENSE"),
    },
];

const SHELL: &str = include_str!("../assets/shell.html");
const SIGNIN: &str = include_str!("../assets/signin.html");

/// The console's views, in the order the navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Systems and the dependency graph.
    Graph,
    /// The decision log.
    Decisions,
    /// Asks, denials and proposals waiting for a human.
    Waiting,
    /// The lint report and the health score.
    Health,
    /// Search, as `lore ask`.
    Search,
    /// Cited lines of a source file.
    Source,
}

impl View {
    const NAV: [View; 5] = [View::Graph, View::Decisions, View::Waiting, View::Health, View::Search];
    /// Every view, each served at its [`View::path`].
    pub const ALL: [View; 6] = [View::Graph, View::Decisions, View::Waiting, View::Health, View::Search, View::Source];

    /// Where the view is served.
    pub fn path(self) -> &'static str {
        match self {
            View::Graph => "/",
            View::Decisions => "/decisions",
            View::Waiting => "/waiting",
            View::Health => "/health",
            View::Search => "/search",
            View::Source => "/source",
        }
    }

    fn id(self) -> &'static str {
        match self {
            View::Graph => "graph",
            View::Decisions => "decisions",
            View::Waiting => "waiting",
            View::Health => "health",
            View::Search => "search",
            View::Source => "source",
        }
    }

    fn title(self) -> &'static str {
        match self {
            View::Graph => "Systems",
            View::Decisions => "Decisions",
            View::Waiting => "Waiting for a human",
            View::Health => "Knowledge health",
            View::Search => "Search",
            View::Source => "Source",
        }
    }
}

/// Who is looking at the console: a signed-in token, or anyone on loopback.
fn viewer(settings: &Settings, headers: &HeaderMap) -> Option<Caller> {
    if settings.tokens.is_empty() {
        return Some(Caller { agent: "local".into(), team: None, role: Role::Approver });
    }
    session_token(headers).and_then(|token| settings.caller(&token))
}

/// A console page, or the sign-in page for a visitor without a session.
pub fn page(view: View, settings: &Settings, headers: &HeaderMap, path_and_query: &str) -> Response {
    let Some(caller) = viewer(settings, headers) else {
        let next = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/signin?next={next}")).into_response();
    };
    let nav: String = View::NAV
        .iter()
        .map(|v| {
            let current = if *v == view { r#" aria-current="page""# } else { "" };
            format!(r#"<li><a href="{}"{current}>{}</a></li>"#, v.path(), v.title())
        })
        .collect();
    let script = if view == View::Graph { r#"<script src="/assets/cytoscape.min.js" defer></script>"# } else { "" };
    let signout = if settings.tokens.is_empty() {
        String::new()
    } else {
        r#"<button type="button" id="signout" class="link">Sign out</button>"#.to_string()
    };
    let html = SHELL
        .replace("{{title}}", view.title())
        .replace("{{view}}", view.id())
        .replace("{{role}}", caller.role.name())
        .replace("{{user}}", &escape(&caller.agent))
        .replace("{{nav}}", &nav)
        .replace("{{vendor}}", script)
        .replace("{{signout}}", &signout);
    html_response(StatusCode::OK, html)
}

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
pub struct SigninQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /signin`: the form, or the console when there is nothing to sign in to.
pub fn signin_form(settings: &Settings, query: SigninQuery) -> Response {
    if settings.tokens.is_empty() {
        return Redirect::to("/").into_response();
    }
    let error = match query.error.as_deref() {
        Some(_) => r#"<p class="error" role="alert">That token is not valid here.</p>"#,
        None => "",
    };
    let next = escape(&safe_next(query.next.as_deref()));
    html_response(StatusCode::OK, SIGNIN.replace("{{error}}", error).replace("{{next}}", &next))
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct Signin {
    token: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /signin`: keeps a valid token in the session cookie.
pub fn signin(settings: &Settings, headers: &HeaderMap, form: Signin) -> Response {
    let next = safe_next(form.next.as_deref());
    if cross_site(headers) {
        return (StatusCode::FORBIDDEN, "sign in from the console's own page").into_response();
    }
    let token = form.token.trim();
    if settings.caller(token).is_none() {
        let next = form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/signin?error=1&next={next}")).into_response();
    }
    let secure = if behind_https(headers) { "; Secure" } else { "" };
    let mut response = Redirect::to(&next).into_response();
    let cookies = [
        format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}",
            hex(token.as_bytes())
        ),
        format!("{CSRF_COOKIE}={}; Path=/; SameSite=Strict; Max-Age={SESSION_SECONDS}{secure}", random_hex()),
    ];
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `POST /signout`: forgets the session (the CSRF check applies).
pub async fn signout(headers: HeaderMap) -> Response {
    if session_token(&headers).is_some() && !csrf_ok(&headers) {
        return (StatusCode::FORBIDDEN, "the request lacks the console's CSRF value").into_response();
    }
    let mut response = Redirect::to("/signin").into_response();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        if let Ok(value) = HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0; SameSite=Strict")) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Each asset's ETag, in the order of [`ASSETS`]: hashed once, not per request.
static ETAGS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    ASSETS.iter().map(|asset| format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(asset.bytes))).collect()
});

/// `GET /assets/NAME`: an embedded file, cached by its ETag.
pub async fn asset(axum::extract::Path(name): axum::extract::Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let (asset, etag) = (&ASSETS[index], &ETAGS[index]);
    let fresh = headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let status = if fresh { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let body = if fresh { &[][..] } else { asset.bytes };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// The token a console session carries, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    let value = cookie(headers, SESSION_COOKIE)?;
    let bytes = unhex(&value)?;
    String::from_utf8(bytes).ok()
}

/// Whether a cookie's request may change state: its CSRF header matches
/// its CSRF cookie, and the browser does not say it came from another site.
pub fn csrf_ok(headers: &HeaderMap) -> bool {
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let cookie = cookie(headers, CSRF_COOKIE);
    let matches = match (header, cookie) {
        (Some(header), Some(cookie)) => {
            !cookie.is_empty() && crate::config::constant_time_eq(header.as_bytes(), cookie.as_bytes())
        }
        _ => false,
    };
    matches && !cross_site(headers)
}

/// Whether a request's method changes nothing.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the browser says the request came from another site.
pub fn cross_site(headers: &HeaderMap) -> bool {
    headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site")
}

fn behind_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// A value of the `Cookie` header by name.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_string())
}

/// A path on this server to go to, never another site (`//evil`, `https:`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => next.to_string(),
        _ => "/".to_string(),
    }
}

fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}

/// Text safe inside HTML, attributes included.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// 128 random bits as hex, from the operating system.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: a value no page can know, so state changes fail
        // closed rather than pass with a guessable value.
        return String::new();
    }
    hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn the_session_token_round_trips_through_hex() {
        let token = "s3cret; with=odd \"chars\"";
        let cookie = format!("other=1; {SESSION_COOKIE}={}", hex(token.as_bytes()));
        assert_eq!(session_token(&headers(&[("cookie", &cookie)])).as_deref(), Some(token));
        assert_eq!(session_token(&headers(&[("cookie", "lore_session=zz")])), None);
    }

    #[test]
    fn csrf_needs_the_header_to_match_the_cookie_and_a_same_site_request() {
        let cookie = format!("{CSRF_COOKIE}=abc123");
        assert!(csrf_ok(&headers(&[("cookie", &cookie), (CSRF_HEADER, "abc123")])));
        assert!(!csrf_ok(&headers(&[("cookie", &cookie), (CSRF_HEADER, "abc124")])));
        assert!(!csrf_ok(&headers(&[("cookie", &cookie)])));
        assert!(!csrf_ok(&headers(&[(CSRF_HEADER, "abc123")])));
        assert!(!csrf_ok(&headers(&[("cookie", "lore_csrf="), (CSRF_HEADER, "")])));
        let cross = [("cookie", cookie.as_str()), (CSRF_HEADER, "abc123"), ("sec-fetch-site", "cross-site")];
        assert!(!csrf_ok(&headers(&cross)));
    }

    #[test]
    fn sign_in_only_sends_people_to_this_server() {
        assert_eq!(safe_next(Some("/decisions?decision=ask")), "/decisions?decision=ask");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "decisions"] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn names_are_escaped_in_pages() {
        assert_eq!(escape(r#"<a href="x">'"#), "&lt;a href=&quot;x&quot;&gt;&#39;");
    }
}
