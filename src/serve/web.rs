//! What every page and API answer shares: the error type (HTML for pages, JSON for the API),
//! the page language, and the page frame.

use super::auth::{cookie, Session};
use super::db::DbError;
use crate::report::svg::esc;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// Cookie holding the chosen page language (`en` or `zh`).
pub const LANG_COOKIE: &str = "jp_lang";

/// A refused or failed request: status, stable code (E8xx) and a message for the user.
#[derive(Debug)]
pub struct WebError {
    /// HTTP status.
    pub status: StatusCode,
    /// Diagnostic code (docs/validation.md, E801–E839).
    pub code: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl WebError {
    /// A refusal.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> WebError {
        WebError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad(code: &'static str, message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 for a missing dataset, scenario, run or file.
    pub fn not_found(what: impl std::fmt::Display) -> WebError {
        WebError::new(
            StatusCode::NOT_FOUND,
            "E813",
            format!("{what} 不存在 (not found)"),
        )
    }

    /// 500: the server's own failure (disk, database).
    pub fn internal(message: impl Into<String>) -> WebError {
        WebError::new(StatusCode::INTERNAL_SERVER_ERROR, "E839", message)
    }

    /// 401: no valid session (pages redirect to the login page).
    pub fn unauthenticated() -> WebError {
        WebError::new(StatusCode::UNAUTHORIZED, "E814", "请先登录 (sign in first)")
    }
}

impl From<DbError> for WebError {
    fn from(e: DbError) -> Self {
        WebError::internal(e.to_string())
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.status == StatusCode::UNAUTHORIZED && self.code == "E814" {
            return (StatusCode::SEE_OTHER, [(header::LOCATION, "/login")]).into_response();
        }
        let body = format!(
            "<h1>{} {}</h1><p class=\"err\">{}: {}</p><p><a href=\"javascript:history.back()\">←</a> · <a href=\"/\">jianpai</a></p>",
            self.status.as_u16(),
            esc(self.status.canonical_reason().unwrap_or("")),
            self.code,
            esc(&self.message)
        );
        (self.status, frame("jianpai", None, &body)).into_response()
    }
}

/// An error of the JSON API: `{"error": {"code", "message"}}` with the status.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = serde_json::json!({"error": {"code": e.code, "message": e.message}});
        (e.status, axum::Json(body)).into_response()
    }
}

/// Whether the request asks for English pages: `?lang=en`, else the language cookie.
pub fn lang_of(parts: &Parts) -> bool {
    lang_from(&parts.uri, &parts.headers)
}

/// [`lang_of`] from the address and headers.
pub fn lang_from(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> bool {
    let query = uri.query().unwrap_or("");
    for kv in query.split('&') {
        match kv {
            "lang=en" => return true,
            "lang=zh" => return false,
            _ => {}
        }
    }
    cookie(headers, LANG_COOKIE) == Some("en")
}

/// Chinese or English text.
pub fn tr(english: bool, zh: &'static str, en: &'static str) -> &'static str {
    if english {
        en
    } else {
        zh
    }
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:0;color:#222}
header{background:#1d4e89;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header a{color:#fff;text-decoration:none}header .who{margin-left:auto}
main{padding:1em 1.5em;max-width:1200px}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:14px}th{background:#eef3f8}
.err{color:#a40000}.warn{color:#8a5a00}.ok{color:#1a6e1a}pre{background:#f6f6f6;padding:.8em;overflow:auto}
form.inline{display:inline}input[type=number]{width:6em}iframe{width:100%;height:900px;border:1px solid #ccc}
.bar{background:#ddd;width:300px;height:14px}.bar div{background:#1d4e89;height:14px}";

/// A whole page: title, navigation for a signed-in user, body.
pub fn frame(title: &str, session: Option<&Session>, body: &str) -> Html<String> {
    let english = session.is_some_and(|s| s.english);
    let nav = match session {
        Some(s) => {
            let mut links = vec![
                format!(
                    "<a href=\"/datasets\">{}</a>",
                    tr(english, "数据集", "Datasets")
                ),
                format!("<a href=\"/runs\">{}</a>", tr(english, "运行记录", "Runs")),
            ];
            if s.role.may(super::auth::Action::Administer) {
                links.push(format!(
                    "<a href=\"/audit\">{}</a>",
                    tr(english, "审计日志", "Audit log")
                ));
            }
            format!(
                "{}<span class=\"who\">{} ({}) · <a href=\"/lang?to={}\">{}</a> · <form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button>{}</button></form></span>",
                links.join(""),
                esc(&s.user.name),
                if english { s.role.key() } else { s.role.zh() },
                if english { "zh" } else { "en" },
                if english { "中文" } else { "English" },
                esc(&s.csrf),
                tr(english, "退出", "Sign out")
            )
        }
        None => String::new(),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head>\
         <body><header><b><a href=\"/\">减排 jianpai</a></b>{nav}</header><main>{body}</main></body></html>",
        if english { "en" } else { "zh-CN" },
        esc(title)
    ))
}

/// A hidden CSRF field for a form.
pub fn csrf_field(s: &Session) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&s.csrf)
    )
}
