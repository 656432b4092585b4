//! Users, roles, passwords (argon2), sessions (random tokens from the OS, kept as hashes) and
//! CSRF tokens. A session travels in an HttpOnly, SameSite=Strict cookie; every state-changing
//! request carries the session's CSRF token (a form field `csrf` or the `X-CSRF-Token` header).

use super::db::{Db, UserRow, SESSION_SECONDS};
use super::web::{lang_of, WebError};
use super::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use std::io::Read;

/// Name of the session cookie.
pub const COOKIE: &str = "jp_session";
/// Name of the pre-session cookie holding the sign-in form's CSRF token.
pub const LOGIN_COOKIE: &str = "jp_login";
/// Longest password accepted (argon2 work is bounded by it too).
pub const MAX_PASSWORD: usize = 1024;
/// Longest user name.
pub const MAX_NAME: usize = 64;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything, and the audit log.
    Admin,
    /// Upload datasets, set scenarios, start runs.
    Planner,
    /// Comment on measures.
    Reviewer,
    /// Read and download only.
    Viewer,
}

/// An action checked on a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See datasets, scenarios, runs, reports; download files.
    View,
    /// Upload datasets, write scenarios, start runs.
    Run,
    /// Comment on an enterprise's measure.
    Comment,
    /// Read the audit log and the user list.
    Administer,
}

impl Role {
    /// Parse a role keyword.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "planner" => Some(Role::Planner),
            "reviewer" => Some(Role::Reviewer),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The keyword.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    /// The Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Admin => "管理员",
            Role::Planner => "编制人员",
            Role::Reviewer => "审核人员",
            Role::Viewer => "查看人员",
        }
    }

    /// Whether the role may take the action.
    pub fn may(self, a: Action) -> bool {
        match a {
            Action::View => true,
            Action::Run => matches!(self, Role::Admin | Role::Planner),
            Action::Comment => matches!(self, Role::Admin | Role::Reviewer),
            Action::Administer => self == Role::Admin,
        }
    }
}

/// `n` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut b = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(b)
}

/// A random token (32 bytes from the OS, hex).
pub fn token() -> std::io::Result<String> {
    Ok(hex(&random_bytes::<32>()?))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What is stored for a session token.
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// An argon2 hash (PHC string) of a password with a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt_bytes = random_bytes::<16>().map_err(|e| format!("/dev/urandom: {e}"))?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    password.len() <= MAX_PASSWORD
        && PasswordHash::new(hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
}

/// A user name is 1–64 letters, digits, `_`, `-` or `.` (any script).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Seconds since the epoch.
pub fn epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Check the name and password; on success store a new session and return the cookie token and
/// the CSRF token.
pub fn login(db: &Db, name: &str, password: &str) -> Result<(String, String), WebError> {
    let user = db.user(name)?;
    // Verify against a throw-away hash when the user is unknown, so timing does not tell
    // names apart.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let ok = match &user {
        Some(u) => verify_password(password, &u.hash),
        None => {
            verify_password(
                password,
                DUMMY.get_or_init(|| hash_password("-").unwrap_or_default()),
            );
            false
        }
    };
    let user = match (ok, user) {
        (true, Some(u)) => u,
        _ => {
            return Err(WebError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "E810",
                "用户名或密码不正确 (wrong user name or password)",
            ))
        }
    };
    let io = |e: std::io::Error| WebError::internal(format!("/dev/urandom: {e}"));
    let (token, csrf) = (token().map_err(io)?, token().map_err(io)?);
    db.add_session(
        &token_hash(&token),
        user.id,
        &csrf,
        epoch() + SESSION_SECONDS,
    )?;
    db.audit(&user.name, "login", "")?;
    Ok((token, csrf))
}

/// The `Set-Cookie` value of a session.
pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}")
}

/// The `Set-Cookie` value of the sign-in form's CSRF token (an hour, HttpOnly, SameSite=Strict).
pub fn login_cookie(token: &str) -> String {
    format!("{LOGIN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600")
}

/// Refuse (403, E811) a sign-in form POST unless its `csrf` field equals the `jp_login` cookie
/// the sign-in page set (double submit: another site can neither read nor set the cookie, and a
/// SameSite=Strict cookie is not sent with its cross-site POST).
pub fn check_login_csrf(headers: &HeaderMap, given: &str) -> Result<(), WebError> {
    match cookie(headers, LOGIN_COOKIE) {
        Some(c) if c.len() == 64 && same(c.as_bytes(), given.as_bytes()) => Ok(()),
        _ => Err(csrf_refusal()),
    }
}

fn csrf_refusal() -> WebError {
    WebError::new(
        axum::http::StatusCode::FORBIDDEN,
        "E811",
        "缺少或错误的 CSRF 令牌；请刷新页面后重试 (missing or wrong CSRF token: reload the page)",
    )
}

/// A value of the `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: UserRow,
    /// The user's role.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf: String,
    /// The cookie token's hash.
    pub token_hash: String,
    /// English pages.
    pub english: bool,
}

impl Session {
    /// Refuse (403) unless the role may take `a`.
    pub fn require(&self, a: Action) -> Result<(), WebError> {
        if self.role.may(a) {
            return Ok(());
        }
        Err(WebError::new(
            axum::http::StatusCode::FORBIDDEN,
            "E812",
            format!(
                "{}（{}）无权执行此操作 (role {} may not do this)",
                self.user.name,
                self.role.zh(),
                self.role.key()
            ),
        ))
    }

    /// Refuse (403) unless `given` (form field) or the `X-CSRF-Token` header is the session's token.
    pub fn check_csrf(&self, headers: &HeaderMap, given: Option<&str>) -> Result<(), WebError> {
        let header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        let ok = [given, header]
            .into_iter()
            .flatten()
            .any(|g| same(g.as_bytes(), self.csrf.as_bytes()));
        if ok {
            return Ok(());
        }
        Err(csrf_refusal())
    }
}

/// Constant-time equality.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let english = lang_of(parts);
        let Some(token) = cookie(&parts.headers, COOKIE) else {
            return Err(WebError::unauthenticated());
        };
        let hash = token_hash(token);
        let Some((user, csrf)) = state.db.session(&hash, epoch())? else {
            return Err(WebError::unauthenticated());
        };
        let Some(role) = Role::parse(&user.role) else {
            return Err(WebError::unauthenticated());
        };
        Ok(Session {
            user,
            role,
            csrf,
            token_hash: hash,
            english,
        })
    }
}
