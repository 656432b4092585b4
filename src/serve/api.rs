//! The JSON API for the bureau's other systems (docs/openapi.yaml). Sign in with
//! `POST /api/login`; send the returned `csrf_token` as `X-CSRF-Token` on every POST.

use super::auth::{login, session_cookie, Action, Session};
use super::flow;
use super::web::{ApiError, WebError};
use super::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// The API routes (under `/api`).
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/api/login", post(api_login))
        .route(
            "/api/datasets",
            post(api_upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/datasets/{id}", get(api_dataset))
        .route("/api/runs", post(api_start).get(api_runs))
        .route("/api/runs/{id}", get(api_run))
        .route("/api/runs/{id}/cancel", post(api_cancel))
        .route("/api/runs/{id}/files", get(api_files))
        .route("/api/runs/{id}/files/{name}", get(api_file))
        .route(
            "/api/runs/{id}/comments",
            get(api_comments).post(api_comment),
        )
}

/// The signed-in user of an API request (401 as JSON when there is none).
struct ApiSession(Session);

impl axum::extract::FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        Session::from_request_parts(parts, state)
            .await
            .map(ApiSession)
            .map_err(ApiError)
    }
}

/// Sign-in request.
#[derive(Deserialize)]
struct LoginBody {
    name: String,
    password: String,
}

async fn api_login(
    State(state): State<AppState>,
    Json(b): Json<LoginBody>,
) -> Result<Response, ApiError> {
    let db = state.db.clone();
    let (token, csrf) = tokio::task::spawn_blocking(move || login(&db, &b.name, &b.password))
        .await
        .map_err(|e| WebError::internal(e.to_string()))??;
    Ok((
        [(header::SET_COOKIE, session_cookie(&token))],
        Json(serde_json::json!({"csrf_token": csrf})),
    )
        .into_response())
}

async fn api_upload(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let d = flow::upload(&state, &s, &headers, mp).await?;
    Ok((StatusCode::CREATED, Json(flow::dataset_json(&d))).into_response())
}

async fn api_dataset(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.require(Action::View)?;
    let d = flow::find_dataset(&state, id)?;
    Ok(Json(flow::dataset_json(&d)))
}

/// Start-run request.
#[derive(Deserialize)]
struct RunBody {
    kind: String,
    dataset: i64,
    scenario: String,
    #[serde(default = "zh")]
    lang: String,
    /// For `revise`: the run holding last year's list.
    #[serde(default)]
    previous: Option<i64>,
}

fn zh() -> String {
    "zh".into()
}

async fn api_start(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    Json(b): Json<RunBody>,
) -> Result<Response, ApiError> {
    s.check_csrf(&headers, None)?;
    s.require(Action::Run)?;
    let scenario = flow::create_scenario(&state, &s, (b.dataset, &b.kind), "api", &b.scenario)?;
    let id = flow::queue_run(&state, &s, (&b.kind, scenario), &b.lang, b.previous)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": id, "scenario": scenario})),
    )
        .into_response())
}

/// A run as JSON: its row, the summary of its first result folder when written (the plan's, the
/// calendar's, the sweep's or the revision's), and its files. The files are read off the async
/// threads.
pub async fn run_json(state: &AppState, id: i64) -> Result<serde_json::Value, WebError> {
    let run = flow::find_run(state, id)?;
    let dir = state.store.run_dir(id);
    let (summary, files) = tokio::task::spawn_blocking(move || {
        let summary = super::store::RESULT_FOLDERS.iter().find_map(|sub| {
            let text = std::fs::read_to_string(dir.join(sub).join("summary.json")).ok()?;
            serde_json::from_str::<serde_json::Value>(&text).ok()
        });
        let files: serde_json::Value = super::store::run_files(&dir)
            .into_iter()
            .map(|(n, _)| serde_json::Value::from(n))
            .collect();
        (summary, files)
    })
    .await
    .map_err(|e| WebError::internal(e.to_string()))?;
    let mut v = serde_json::to_value(&run).expect("json");
    v["summary"] = summary.unwrap_or_default();
    v["files"] = files;
    Ok(v)
}

async fn api_runs(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.require(Action::View)?;
    Ok(Json(serde_json::to_value(state.db.runs()?).expect("json")))
}

async fn api_run(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.require(Action::View)?;
    Ok(Json(run_json(&state, id).await?))
}

async fn api_files(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.require(Action::View)?;
    Ok(Json(run_json(&state, id).await?["files"].take()))
}

async fn api_file(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    Ok(flow::send_file(&state, &s, id, &name).await?)
}

/// Comment request.
#[derive(Deserialize)]
struct CommentBody {
    enterprise: String,
    #[serde(default)]
    level: String,
    text: String,
}

async fn api_comment(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<CommentBody>,
) -> Result<Response, ApiError> {
    s.check_csrf(&headers, None)?;
    flow::comment(&state, &s, id, (&b.enterprise, &b.level, &b.text)).await?;
    Ok(StatusCode::CREATED.into_response())
}

/// The body (none needed) is read, so that the connection stays usable for the next request.
async fn api_cancel(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    headers: HeaderMap,
    Path(id): Path<i64>,
    _body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    s.check_csrf(&headers, None)?;
    flow::cancel(&state, &s, id)?;
    Ok((StatusCode::ACCEPTED, Json(run_json(&state, id).await?)).into_response())
}

async fn api_comments(
    State(state): State<AppState>,
    ApiSession(s): ApiSession,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.require(Action::View)?;
    Ok(Json(
        serde_json::to_value(state.db.comments(id)?).expect("json"),
    ))
}
