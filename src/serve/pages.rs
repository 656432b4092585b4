//! Server-rendered pages (Chinese by default; `?lang=en` or the language link for English):
//! sign-in, datasets (upload, validation), scenarios (template form, TOML), runs (status,
//! report, files, comments), comparison and the audit log.

use super::auth::{login, session_cookie, Action, Session, COOKIE};
use super::db::RunRow;
use super::flow;
use super::store::{run_files, without_path_keys, TEMPLATES, TEXT_TEMPLATES};
use super::web::{csrf_field, frame, tr, WebError, LANG_COOKIE};
use super::AppState;
use crate::report::svg::esc;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;

type Fields = HashMap<String, String>;

/// The page routes.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_post))
        .route("/logout", post(logout))
        .route("/lang", get(set_lang))
        .route(
            "/datasets",
            get(datasets)
                .post(upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route("/datasets/{id}", get(dataset))
        .route("/scenarios/new", get(scenario_form))
        .route("/scenarios", post(scenario_post))
        .route("/scenarios/{id}", get(scenario))
        .route("/scenarios/{id}/scenario.toml", get(scenario_toml))
        .route("/runs", get(runs).post(run_post))
        .route("/runs/{id}", get(run))
        .route("/runs/{id}/files/{name}", get(run_file))
        .route("/runs/{id}/list", get(list))
        .route("/runs/{id}/comments", post(comment_post))
        .route("/runs/{id}/cancel", post(cancel_post))
        .route("/compare", get(compare))
        .route("/audit", get(audit))
}

fn field<'a>(f: &'a Fields, k: &str) -> &'a str {
    f.get(k).map(String::as_str).unwrap_or("")
}

async fn home(s: Result<Session, WebError>) -> Redirect {
    Redirect::to(if s.is_ok() { "/runs" } else { "/login" })
}

/// The sign-in page with a fresh pre-session CSRF token: set as the `jp_login` cookie (HttpOnly,
/// SameSite=Strict) and as the form's hidden field; a sign-in POST must carry both, equal.
fn login_html(english: bool, error: Option<&str>) -> Response {
    let token = match super::auth::token() {
        Ok(t) => t,
        Err(e) => return WebError::internal(format!("/dev/urandom: {e}")).into_response(),
    };
    let err = error
        .map(|e| format!("<p class=\"err\">{}</p>", esc(e)))
        .unwrap_or_default();
    let page = frame(
        "jianpai",
        None,
        &format!(
            "<h1>{}</h1>{err}<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"{token}\"><p><label>{} <input name=\"name\" id=\"name\" autocomplete=\"username\"></label></p>\
             <p><label>{} <input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\"></label></p>\
             <p><button id=\"login\">{}</button></p></form><p><a href=\"/lang?to={}\">{}</a></p>",
            tr(english, "减排工作台 登录", "jianpai workbench — sign in"),
            tr(english, "用户名", "User"),
            tr(english, "密码", "Password"),
            tr(english, "登录", "Sign in"),
            if english { "zh" } else { "en" },
            if english { "中文" } else { "English" },
        ),
    );
    (
        [(header::SET_COOKIE, super::auth::login_cookie(&token))],
        page,
    )
        .into_response()
}

async fn login_page(uri: axum::http::Uri, headers: HeaderMap) -> Response {
    login_html(super::web::lang_from(&uri, &headers), None)
}

async fn login_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    if let Err(e) = super::auth::check_login_csrf(&headers, field(&f, "csrf")) {
        let english = super::web::lang_from(&axum::http::Uri::default(), &headers);
        let mut r = login_html(english, Some(&format!("{}: {}", e.code, e.message)));
        *r.status_mut() = e.status;
        return r;
    }
    let (name, password) = (
        field(&f, "name").to_string(),
        field(&f, "password").to_string(),
    );
    let db = state.db.clone();
    let result = tokio::task::spawn_blocking(move || login(&db, &name, &password)).await;
    match result {
        Ok(Ok((token, _))) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, session_cookie(&token)),
                (header::LOCATION, "/runs".to_string()),
            ],
        )
            .into_response(),
        Ok(Err(e)) => {
            let mut r = login_html(false, Some(&e.message));
            *r.status_mut() = e.status;
            r
        }
        Err(e) => WebError::internal(e.to_string()).into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    s.check_csrf(&headers, Some(field(&f, "csrf")))?;
    state.db.delete_session(&s.token_hash)?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response())
}

async fn set_lang(Query(q): Query<Fields>) -> Response {
    let to = if field(&q, "to") == "en" { "en" } else { "zh" };
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{LANG_COOKIE}={to}; SameSite=Strict; Path=/; Max-Age=31536000"),
            ),
            (header::LOCATION, "/".to_string()),
        ],
    )
        .into_response()
}

async fn datasets(State(state): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let mut body = format!("<h1>{}</h1>", tr(e, "数据集", "Datasets"));
    if s.role.may(Action::Run) {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/datasets\" enctype=\"multipart/form-data\">{}\
             <p>{} <input type=\"file\" name=\"files\" id=\"files\" multiple accept=\".csv,.xlsx,.xls,.ods,.parquet,.zip\"> \
             <button id=\"upload\">{}</button></p><p>{}</p></form>",
            csrf_field(&s),
            tr(e, "上传数据集（districts、enterprises、lines 等表格文件，或一个数据集文件夹的 zip）：", "Upload a dataset (table files, or one zip of a dataset folder):"),
            tr(e, "上传并校验", "Upload and validate"),
            tr(e, "上传后立即运行 validate 校验。", "validate runs on it at once."),
        ));
    }
    body.push_str(&format!(
        "<table><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(e, "文件", "Files"),
        tr(e, "上传人", "By"),
        tr(e, "校验", "Validation"),
        tr(e, "时间 (UTC)", "When (UTC)")
    ));
    for d in state.db.datasets()? {
        body.push_str(&format!(
            "<tr><td><a href=\"/datasets/{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td class=\"{3}\">{4} {5}, {6} {7}</td><td>{8}</td></tr>",
            d.id,
            esc(&d.name),
            esc(&d.owner),
            if d.valid { "ok" } else { "err" },
            d.errors,
            tr(e, "错误", "errors"),
            d.warnings,
            tr(e, "警告", "warnings"),
            esc(&d.created)
        ));
    }
    body.push_str("</table>");
    Ok(frame(tr(e, "数据集", "Datasets"), Some(&s), &body))
}

async fn upload(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    mp: Multipart,
) -> Result<Redirect, WebError> {
    let d = flow::upload(&state, &s, &headers, mp).await?;
    Ok(Redirect::to(&format!("/datasets/{}", d.id)))
}

async fn dataset(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let d = flow::find_dataset(&state, id)?;
    let report = flow::dataset_json(&d);
    let mut body = format!(
        "<h1>{} {id}: {}</h1><p id=\"verdict\" class=\"{}\">{}：{} {}，{} {}</p>",
        tr(e, "数据集", "Dataset"),
        esc(&d.name),
        if d.valid { "ok" } else { "err" },
        if d.valid {
            tr(e, "校验通过", "valid")
        } else {
            tr(e, "校验未通过", "invalid")
        },
        d.errors,
        tr(e, "个错误", "errors"),
        d.warnings,
        tr(e, "个警告", "warnings"),
    );
    if let Some(sum) = report.get("summary").filter(|v| !v.is_null()) {
        body.push_str(&format!(
            "<p>{} {} · {} {} ({} {})</p>",
            tr(e, "企业", "enterprises"),
            sum["enterprises"],
            tr(e, "生产线", "lines"),
            sum["lines"],
            tr(e, "在产", "active"),
            sum["active_lines"]
        ));
    }
    let diags = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !diags.is_empty() {
        body.push_str(&format!(
            "<table id=\"diagnostics\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            tr(e, "级别", "Severity"),
            tr(e, "代码", "Code"),
            tr(e, "文件", "File"),
            tr(e, "行", "Row"),
            tr(e, "列", "Column"),
            tr(e, "值", "Value"),
            tr(e, "说明", "Message")
        ));
        for dg in diags.iter().take(500) {
            let t = |k: &str| match &dg[k] {
                serde_json::Value::String(s) => esc(s),
                serde_json::Value::Null => String::new(),
                v => esc(&v.to_string()),
            };
            let error = dg["severity"] == "error";
            body.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
                if error { "err" } else { "warn" },
                if error { tr(e, "错误", "error") } else { tr(e, "警告", "warning") },
                t("code"),
                t("file"),
                t("row"),
                t("column"),
                t("value"),
                t("message"),
                t("hint")
            ));
        }
        body.push_str("</table>");
        if diags.len() > 500 {
            body.push_str(&format!(
                "<p>… {} more (GET /api/datasets/{id})</p>",
                diags.len() - 500
            ));
        }
    }
    if d.valid && s.role.may(Action::Run) {
        body.push_str(&format!(
            "<h2>{}</h2><ul>",
            tr(e, "选择情景模板", "Choose a scenario template")
        ));
        for (key, zh, en, _) in TEMPLATES {
            body.push_str(&format!(
                "<li><a id=\"template-{key}\" href=\"/scenarios/new?dataset={id}&amp;template={key}\">{}</a></li>",
                if e { en } else { zh }
            ));
        }
        for (key, _, zh, en, _) in TEXT_TEMPLATES {
            body.push_str(&format!(
                "<li><a id=\"template-{key}\" href=\"/scenarios/new?dataset={id}&amp;template={key}\">{}</a></li>",
                if e { en } else { zh }
            ));
        }
        body.push_str("</ul>");
    }
    Ok(frame(&d.name, Some(&s), &body))
}

const LEVELS: [(&str, &str); 3] = [("yellow", "黄色"), ("orange", "橙色"), ("red", "红色")];
const POLLUTANTS: [&str; 4] = ["so2", "nox", "pm", "vocs"];

fn template(key: &str) -> Result<toml::Table, WebError> {
    let (_, _, _, text) = TEMPLATES
        .iter()
        .find(|t| t.0 == key)
        .ok_or_else(|| WebError::not_found(format!("template {key}")))?;
    Ok(toml::from_str(text).expect("bundled templates parse"))
}

fn num(t: &toml::Table, path: &[&str]) -> String {
    let mut v: Option<&toml::Value> = t.get(path[0]);
    for k in &path[1..] {
        v = v.and_then(|x| x.get(*k));
    }
    match v {
        Some(toml::Value::Float(f)) => f.to_string(),
        Some(toml::Value::Integer(i)) => i.to_string(),
        _ => String::new(),
    }
}

async fn scenario_form(s: Session, Query(q): Query<Fields>) -> Result<Html<String>, WebError> {
    s.require(Action::Run)?;
    let e = s.english;
    let key = field(&q, "template");
    let dataset: i64 = field(&q, "dataset").parse().map_err(|_| {
        WebError::bad(
            "E818",
            "dataset 应为数据集编号 (dataset must be a dataset id)",
        )
    })?;
    if let Some((key, kind, zh, en, text)) = TEXT_TEMPLATES.iter().find(|t| t.0 == key) {
        let body = format!(
            "<h1>{}</h1><p>{}</p><form method=\"post\" action=\"/scenarios\">{}<input type=\"hidden\" name=\"dataset\" value=\"{dataset}\">\
             <input type=\"hidden\" name=\"template\" value=\"{key}\"><input type=\"hidden\" name=\"kind\" value=\"{kind}\">\
             <p><textarea name=\"toml\" id=\"toml-text\" rows=\"30\" cols=\"100\">{}</textarea></p><p><button id=\"save-scenario\">{}</button></p></form>",
            if e { en } else { zh },
            tr(e, "文件路径（清单、规则、日历表、基准情景、上一年清单）由工作台设置。", "File paths (inventory, rules, calendar tables, base scenario, last year's list) are set by the workbench."),
            csrf_field(&s),
            esc(&without_path_keys(text)),
            tr(e, "保存情景", "Save scenario"),
        );
        return Ok(frame(tr(e, "情景设置", "Scenario"), Some(&s), &body));
    }
    let t = template(key)?;
    let input = |name: String, value: String| {
        format!(
            "<input type=\"number\" step=\"any\" name=\"{name}\" id=\"{name}\" value=\"{}\">",
            esc(&value)
        )
    };
    let mut body = format!(
        "<h1>{}</h1><form method=\"post\" action=\"/scenarios\">{}<input type=\"hidden\" name=\"dataset\" value=\"{dataset}\"><input type=\"hidden\" name=\"template\" value=\"{}\">\
         <p>{} <input name=\"name\" size=\"50\" value=\"{}\"></p><h2>{}</h2><table><tr><th></th>",
        tr(e, "情景设置", "Scenario"),
        csrf_field(&s),
        esc(key),
        tr(e, "名称", "Name"),
        esc(t.get("name").and_then(|v| v.as_str()).unwrap_or("")),
        tr(e, "减排要求（占全社会排放比例）", "Required cut (share of whole-society emissions)"),
    );
    for p in POLLUTANTS {
        body.push_str(&format!("<th>{}</th>", p.to_uppercase()));
    }
    body.push_str(&format!(
        "<th>{}</th></tr>",
        tr(e, "预警天数", "Warning days")
    ));
    for (level, zh) in LEVELS {
        body.push_str(&format!("<tr><th>{}</th>", if e { level } else { zh }));
        for p in POLLUTANTS {
            body.push_str(&format!(
                "<td>{}</td>",
                input(
                    format!("targets.{level}.{p}"),
                    num(&t, &["targets", level, p])
                )
            ));
        }
        body.push_str(&format!(
            "<td>{}</td></tr>",
            input(format!("days.{level}"), num(&t, &["days", level]))
        ));
    }
    let enforce = t
        .get("districts")
        .and_then(|d| d.get("enforce"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    body.push_str(&format!(
        "</table><p><label><input type=\"checkbox\" name=\"credits_off\" id=\"credits_off\" value=\"1\"> {}</label></p>\
         <p><label><input type=\"checkbox\" name=\"districts.enforce\" value=\"1\"{}> {}</label></p>\
         <p>{} {} {} {}</p><p><button id=\"save-scenario\">{}</button></p></form>",
        tr(e, "不计其他行业（移动源、扬尘）减排量", "No other-sector credits (mobile, dust)"),
        if enforce { " checked" } else { "" },
        tr(e, "区县目标", "District targets"),
        tr(e, "求解时限（秒）", "Time limit (s)"),
        input("solver.time_limit".into(), num(&t, &["solver", "time_limit"])),
        tr(e, "相对间隙", "Relative gap"),
        input("solver.rel_gap".into(), num(&t, &["solver", "rel_gap"])),
        tr(e, "保存情景", "Save scenario"),
    ));
    Ok(frame(tr(e, "情景设置", "Scenario"), Some(&s), &body))
}

/// The template with the form's numbers written in.
fn scenario_from_form(f: &Fields) -> Result<String, WebError> {
    let mut t = template(field(f, "template"))?;
    let number = |k: &str| -> Result<Option<toml::Value>, WebError> {
        let v = field(f, k).trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| Some(toml::Value::Float(x)))
            .ok_or_else(|| {
                WebError::bad(
                    "E818",
                    format!(
                        "{k} = \"{}\"：应为数字 (must be a number)",
                        crate::validate::escape_controls(v)
                    ),
                )
            })
    };
    let mut set = |path: &[&str], v: toml::Value| {
        let mut cur = &mut t;
        for k in &path[..path.len() - 1] {
            cur = cur
                .entry(k.to_string())
                .or_insert_with(|| toml::Value::Table(Default::default()))
                .as_table_mut()
                .expect("template sections are tables");
        }
        cur.insert(path[path.len() - 1].to_string(), v);
    };
    for (level, _) in LEVELS {
        for p in POLLUTANTS {
            if let Some(v) = number(&format!("targets.{level}.{p}"))? {
                set(&["targets", level, p], v);
            }
        }
        if let Some(v) = number(&format!("days.{level}"))? {
            set(&["days", level], v);
        }
    }
    for k in ["time_limit", "rel_gap"] {
        if let Some(v) = number(&format!("solver.{k}"))? {
            set(&["solver", k], v);
        }
    }
    set(
        &["districts", "enforce"],
        toml::Value::Boolean(field(f, "districts.enforce") == "1"),
    );
    let name = field(f, "name").trim();
    if !name.is_empty() {
        if name.chars().count() > 200 {
            return Err(WebError::bad(
                "E818",
                "名称最多 200 个字符 (name: at most 200 characters)",
            ));
        }
        set(&["name"], toml::Value::String(name.to_string()));
    }
    if field(f, "credits_off") == "1" {
        t.remove("credits");
    }
    Ok(toml::to_string(&t).expect("a table serializes"))
}

async fn scenario_post(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Redirect, WebError> {
    s.check_csrf(&headers, Some(field(&f, "csrf")))?;
    s.require(Action::Run)?;
    let dataset: i64 = field(&f, "dataset").parse().map_err(|_| {
        WebError::bad(
            "E818",
            "dataset 应为数据集编号 (dataset must be a dataset id)",
        )
    })?;
    let text = if TEXT_TEMPLATES.iter().any(|t| t.0 == field(&f, "template")) {
        field(&f, "toml").to_string()
    } else {
        scenario_from_form(&f)?
    };
    let kind = match field(&f, "kind") {
        "" => "plan",
        k => k,
    };
    let id = flow::create_scenario(&state, &s, (dataset, kind), field(&f, "template"), &text)?;
    Ok(Redirect::to(&format!("/scenarios/{id}")))
}

async fn scenario(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let sc = flow::find_scenario(&state, id)?;
    let (dataset, template, toml) = (sc.dataset, &sc.template, &sc.toml);
    let mut body = format!(
        "<h1>{} {id}</h1><p>{} <a href=\"/datasets/{dataset}\">{dataset}</a> · {} {} · <a id=\"download-toml\" href=\"/scenarios/{id}/scenario.toml\">{}</a></p>",
        tr(e, "情景", "Scenario"),
        tr(e, "数据集", "dataset"),
        tr(e, "模板", "template"),
        esc(template),
        tr(e, "下载 TOML", "Download TOML"),
    );
    if s.role.may(Action::Run) {
        let kinds = if sc.kind == "plan" {
            let mut previous = String::new();
            for r in
                state.db.runs()?.iter().filter(|r| {
                    r.status == "finished" && matches!(r.kind.as_str(), "plan" | "revise")
                })
            {
                previous.push_str(&format!(
                    "<option value=\"{0}\">{0} ({1})</option>",
                    r.id,
                    esc(&r.kind)
                ));
            }
            format!(
                "<label>{} <select name=\"kind\" id=\"kind\"><option value=\"plan\">{}</option><option value=\"revise\">{}</option></select></label> \
                 <label>{} <select name=\"previous\" id=\"previous\"><option value=\"\">—</option>{previous}</select></label> ",
                tr(e, "类型", "Kind"),
                tr(e, "编制清单（plan + report）", "plan + report"),
                tr(e, "修订上一年清单（revise）", "revise last year's list"),
                tr(e, "上一年清单（修订用）", "last year's list (for revise)"),
            )
        } else {
            format!(
                "<input type=\"hidden\" name=\"kind\" value=\"{}\">",
                esc(&sc.kind)
            )
        };
        body.push_str(&format!(
            "<form method=\"post\" action=\"/runs\">{}<input type=\"hidden\" name=\"scenario\" value=\"{id}\">{kinds}\
             <label>{} <select name=\"lang\"><option value=\"zh\">中文</option><option value=\"en\">English</option></select></label> \
             <button id=\"start-run\">{}</button></form>",
            csrf_field(&s),
            tr(e, "输出语言", "Output language"),
            tr(e, "开始运行", "Start the run"),
        ));
    }
    body.push_str(&format!("<pre id=\"toml\">{}</pre>", esc(toml)));
    Ok(frame(tr(e, "情景", "Scenario"), Some(&s), &body))
}

async fn scenario_toml(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    s.require(Action::View)?;
    let toml = flow::find_scenario(&state, id)?.toml;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"scenario-{id}.toml\""),
            ),
        ],
        toml,
    )
        .into_response())
}

async fn run_post(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Result<Redirect, WebError> {
    s.check_csrf(&headers, Some(field(&f, "csrf")))?;
    let scenario: i64 = field(&f, "scenario").parse().map_err(|_| {
        WebError::bad(
            "E818",
            "scenario 应为情景编号 (scenario must be a scenario id)",
        )
    })?;
    let lang = match field(&f, "lang") {
        "" => "zh",
        l => l,
    };
    let previous = match field(&f, "previous").trim() {
        "" => None,
        p => Some(p.parse::<i64>().map_err(|_| {
            WebError::bad("E818", "previous 应为运行编号 (previous must be a run id)")
        })?),
    };
    let id = flow::queue_run(&state, &s, (field(&f, "kind"), scenario), lang, previous)?;
    Ok(Redirect::to(&format!("/runs/{id}")))
}

fn status_text(e: bool, status: &str) -> &'static str {
    match status {
        "queued" => tr(e, "排队中", "queued"),
        "running" => tr(e, "运行中", "running"),
        "finished" => tr(e, "已完成", "finished"),
        "cancelled" => tr(e, "已取消", "cancelled"),
        _ => tr(e, "失败", "failed"),
    }
}

fn stage_text(e: bool, stage: &str) -> &'static str {
    match stage {
        "queued" => tr(e, "等待空闲的求解线程", "waiting for a free worker"),
        "plan" => tr(e, "校验数据并求解（plan）", "validating and solving (plan)"),
        "report" => tr(
            e,
            "生成清单与报告（report）",
            "writing the list and report (report)",
        ),
        "starting" => tr(e, "启动中", "starting"),
        "stagger" => tr(
            e,
            "编制错峰生产日历（stagger）",
            "solving the calendar (stagger)",
        ),
        "sweep" => tr(e, "情景扫描（sweep）", "solving the scenarios (sweep)"),
        "revise" => tr(e, "修订清单（revise）", "revising the list (revise)"),
        "cancelled" => tr(e, "已取消", "cancelled"),
        "done" => tr(e, "完成", "done"),
        "interrupted" => tr(e, "服务器重启时中断", "interrupted by a server restart"),
        _ => tr(e, "失败", "failed"),
    }
}

async fn runs(State(state): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let all = state.db.runs()?;
    let mut body = format!(
        "<h1>{}</h1><form method=\"get\" action=\"/compare\"><table id=\"runs\"><tr><th>{}</th><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(e, "运行记录", "Runs"),
        tr(e, "对比", "Compare"),
        tr(e, "类型", "Kind"),
        tr(e, "数据集", "Dataset"),
        tr(e, "发起人", "By"),
        tr(e, "状态", "Status"),
        tr(e, "时间 (UTC)", "When (UTC)"),
    );
    for r in &all {
        body.push_str(&format!(
            "<tr><td><input type=\"checkbox\" name=\"run\" value=\"{0}\" id=\"pick-{0}\"></td><td><a href=\"/runs/{0}\">{0}</a></td><td>{1}</td><td><a href=\"/datasets/{2}\">{2}</a></td><td>{3}</td><td class=\"status-{4}\">{5}</td><td>{6}</td></tr>",
            r.id,
            esc(&r.kind),
            r.dataset,
            esc(&r.owner),
            esc(&r.status),
            status_text(e, &r.status),
            esc(&r.created)
        ));
    }
    body.push_str(&format!(
        "</table><button id=\"compare\">{}</button></form>",
        tr(e, "对比所选运行", "Compare the chosen runs")
    ));
    if all.is_empty() {
        body.push_str(&format!(
            "<p>{}</p>",
            tr(
                e,
                "还没有运行。先上传数据集。",
                "No runs yet: upload a dataset first."
            )
        ));
    }
    Ok(frame(tr(e, "运行记录", "Runs"), Some(&s), &body))
}

fn run_header(s: &Session, r: &RunRow) -> String {
    let e = s.english;
    let active = matches!(r.status.as_str(), "queued" | "running");
    let elapsed = r
        .elapsed_s
        .map(|t| {
            format!(
                " · {} {}:{:02}",
                tr(e, "用时", "elapsed"),
                t.max(0) / 60,
                t.max(0) % 60
            )
        })
        .unwrap_or_default();
    let cancel = if active && s.role.may(Action::Run) {
        format!(
            "<form method=\"post\" action=\"/runs/{}/cancel\">{}<button id=\"cancel\">{}</button></form>",
            r.id,
            csrf_field(s),
            tr(e, "取消运行", "Cancel the run")
        )
    } else {
        String::new()
    };
    format!(
        "{}<h1>{} {} ({})</h1><p>{} <b id=\"status\" class=\"status-{}\">{}</b> · <span id=\"stage\">{}</span>{elapsed} · {} <a href=\"/datasets/{}\">{}</a> · {} <a href=\"/scenarios/{}\">{}</a> · {}</p>\
         <div class=\"bar\"><div style=\"width:{}%\"></div></div><pre id=\"message\">{}</pre>{cancel}",
        if active { "<meta http-equiv=\"refresh\" content=\"2\">" } else { "" },
        tr(e, "运行", "Run"),
        r.id,
        esc(&r.kind),
        tr(e, "状态", "Status"),
        esc(&r.status),
        status_text(e, &r.status),
        stage_text(e, &r.stage),
        tr(e, "数据集", "dataset"),
        r.dataset,
        r.dataset,
        tr(e, "情景", "scenario"),
        r.scenario,
        r.scenario,
        esc(&r.owner),
        r.progress.clamp(0, 100),
        esc(&r.message)
    )
}

async fn cancel_post(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Redirect, WebError> {
    s.check_csrf(&headers, Some(field(&f, "csrf")))?;
    flow::cancel(&state, &s, id)?;
    Ok(Redirect::to(&format!("/runs/{id}")))
}

async fn run(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let r = flow::find_run(&state, id)?;
    let mut body = run_header(&s, &r);
    let v = super::api::run_json(&state, id).await?;
    let sm = &v["summary"];
    if !sm.is_null() {
        body.push_str(&format!(
            "<p id=\"summary\">{} {} · {} {} · {} {}</p>",
            tr(e, "求解状态", "Solver status"),
            esc(sm["status_message"].as_str().unwrap_or("")),
            tr(e, "预期损失（万元）", "Expected loss (10k yuan)"),
            sm["objective"]
                .as_f64()
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "—".into()),
            tr(e, "间隙", "gap"),
            sm["gap"]
                .as_f64()
                .map(|g| format!("{:.4}%", g * 100.0))
                .unwrap_or_else(|| "—".into()),
        ));
    }
    let files = run_files(&state.store.run_dir(id));
    if files.iter().any(|(n, _)| n == "plan.csv") {
        body.push_str(&format!(
            "<p><a id=\"browse\" href=\"/runs/{id}/list\">{}</a></p>",
            tr(
                e,
                "浏览清单（按区县、行业、绩效等级筛选）",
                "Browse the list (filter by district, industry, grade)"
            )
        ));
    }
    if !files.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2><ul id=\"files\">",
            tr(e, "文件下载", "Files")
        ));
        for (name, _) in &files {
            body.push_str(&format!(
                "<li><a href=\"/runs/{id}/files/{0}\">{0}</a></li>",
                esc(name)
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&format!(
        "<h2>{}</h2>",
        tr(e, "审核意见", "Review comments")
    ));
    let comments = state.db.comments(id)?;
    body.push_str("<table id=\"comments\">");
    for c in &comments {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.created),
            esc(&c.author),
            esc(&c.enterprise),
            esc(&c.level),
            esc(&c.text)
        ));
    }
    body.push_str("</table>");
    if s.role.may(Action::Comment) {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/runs/{id}/comments\">{}<p>{} <input name=\"enterprise\" id=\"enterprise\" size=\"24\"> \
             {} <select name=\"level\"><option value=\"\">—</option><option value=\"yellow\">{}</option><option value=\"orange\">{}</option><option value=\"red\">{}</option></select></p>\
             <p><textarea name=\"text\" id=\"comment-text\" rows=\"3\" cols=\"80\"></textarea></p><p><button id=\"add-comment\">{}</button></p></form>",
            csrf_field(&s),
            tr(e, "企业（统一社会信用代码或名称）", "Enterprise (credit code or name)"),
            tr(e, "预警级别", "Level"),
            tr(e, "黄色", "yellow"),
            tr(e, "橙色", "orange"),
            tr(e, "红色", "red"),
            tr(e, "提交意见", "Add comment"),
        ));
    }
    if let Some((report, _)) = files.iter().find(|(n, _)| n.ends_with(".html")) {
        body.push_str(&format!(
            "<h2>{}</h2><iframe id=\"report\" src=\"/runs/{id}/files/{}\"></iframe>",
            tr(e, "报告", "Report"),
            esc(report)
        ));
    }
    Ok(frame(
        &format!("{} {id}", tr(e, "运行", "Run")),
        Some(&s),
        &body,
    ))
}

/// Most rows the list page shows.
const LIST_ROWS: usize = 2000;

async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<Fields>,
) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    flow::find_run(&state, id)?;
    let dir = state.store.run_dir(id).join("plan");
    if !dir.join("plan.csv").is_file() {
        return Err(WebError::not_found(format!("run {id} plan.csv")));
    }
    let listing = tokio::task::spawn_blocking(move || crate::diff::listing::read_listing(&dir))
        .await
        .map_err(|err| WebError::internal(err.to_string()))?
        .map_err(|r| {
            WebError::bad(
                "E820",
                format!(
                    "清单无法读取 (the list cannot be read): {} errors",
                    r.error_count()
                ),
            )
        })?;
    let t = crate::report::labels::Labels { english: e };
    let grade = |c: &str| {
        listing
            .enterprises
            .get(c)
            .and_then(|x| x.grade)
            .map(|g| t.grade(g).to_string())
            .unwrap_or_default()
    };
    let wanted = |k: &str| field(&q, k).trim().to_string();
    let (district, industry, grade_wanted) =
        (wanted("district"), wanted("industry"), wanted("grade"));
    let mut options: [std::collections::BTreeSet<String>; 3] = Default::default();
    for x in listing.enterprises.values() {
        options[0].insert(x.district.clone());
        options[1].insert(x.industry.clone());
        options[2].insert(grade(&x.credit_code));
    }
    let select = |name: &str,
                  label: &str,
                  values: &std::collections::BTreeSet<String>,
                  chosen: &str| {
        let mut h = format!("<label>{label} <select name=\"{name}\" id=\"filter-{name}\"><option value=\"\">—</option>");
        for v in values {
            h.push_str(&format!(
                "<option{}>{}</option>",
                if v == chosen { " selected" } else { "" },
                esc(v)
            ));
        }
        h + "</select></label> "
    };
    let mut body = format!(
        "<h1>{} {id}</h1><form method=\"get\">{}{}{}<button id=\"filter\">{}</button></form>",
        tr(e, "运行清单", "List of run"),
        select(
            "district",
            tr(e, "区县", "District"),
            &options[0],
            &district
        ),
        select(
            "industry",
            tr(e, "行业", "Industry"),
            &options[1],
            &industry
        ),
        select(
            "grade",
            tr(e, "绩效等级", "Grade"),
            &options[2],
            &grade_wanted
        ),
        tr(e, "筛选", "Filter"),
    );
    let rows: Vec<_> = listing
        .lines
        .values()
        .filter_map(|l| Some((l, listing.enterprises.get(&l.credit_code)?)))
        .filter(|(_, x)| {
            (district.is_empty() || x.district == district)
                && (industry.is_empty() || x.industry == industry)
                && (grade_wanted.is_empty() || grade(&x.credit_code) == grade_wanted)
        })
        .collect();
    body.push_str(&format!(
        "<p id=\"count\">{} {}</p><table id=\"list\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        rows.len(),
        tr(e, "条生产线", "lines"),
        tr(e, "企业", "Enterprise"),
        tr(e, "统一社会信用代码", "Credit code"),
        tr(e, "区县", "District"),
        tr(e, "行业", "Industry"),
        tr(e, "绩效等级", "Grade"),
        tr(e, "生产线", "Line"),
        tr(e, "黄色", "Yellow"),
        tr(e, "橙色", "Orange"),
        tr(e, "红色", "Red"),
    ));
    for (l, x) in rows.iter().take(LIST_ROWS) {
        body.push_str(&format!(
            "<tr class=\"line\" data-industry=\"{3}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td><td>{5} {6}</td><td>{7}</td><td>{8}</td><td>{9}</td></tr>",
            esc(&x.name),
            esc(&x.credit_code),
            esc(&x.district),
            esc(&x.industry),
            esc(&grade(&x.credit_code)),
            esc(&l.line_id),
            esc(&l.line_name),
            esc(&l.code(0)),
            esc(&l.code(1)),
            esc(&l.code(2)),
        ));
    }
    body.push_str("</table>");
    if rows.len() > LIST_ROWS {
        body.push_str(&format!(
            "<p>… {} {}</p>",
            rows.len() - LIST_ROWS,
            tr(
                e,
                "条未显示：请筛选或下载清单",
                "more: filter, or download the list"
            )
        ));
    }
    Ok(frame(tr(e, "运行清单", "List"), Some(&s), &body))
}

async fn run_file(
    State(state): State<AppState>,
    s: Session,
    Path((id, name)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    flow::send_file(&state, &s, id, &name).await
}

async fn comment_post(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Redirect, WebError> {
    s.check_csrf(&headers, Some(field(&f, "csrf")))?;
    flow::comment(
        &state,
        &s,
        id,
        (
            field(&f, "enterprise"),
            field(&f, "level"),
            field(&f, "text"),
        ),
    )
    .await?;
    Ok(Redirect::to(&format!("/runs/{id}")))
}

async fn compare(
    State(state): State<AppState>,
    s: Session,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Result<Html<String>, WebError> {
    s.require(Action::View)?;
    let e = s.english;
    let ids: Vec<i64> = q
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("run="))
        .filter_map(|v| v.parse().ok())
        .take(10)
        .collect();
    if ids.len() < 2 {
        return Err(WebError::bad(
            "E819",
            "请选择至少两个已完成的运行 (choose at least two finished runs)",
        ));
    }
    let mut dirs = Vec::new();
    for id in &ids {
        let r = flow::find_run(&state, *id)?;
        let dir = state.store.run_dir(*id).join("plan");
        if !dir.join("plan.csv").is_file() {
            return Err(WebError::bad(
                "E819",
                format!(
                    "运行 {id} 没有清单（{}）(run {id} has no plan)",
                    status_text(e, &r.status)
                ),
            ));
        }
        dirs.push(dir);
    }
    let text = tokio::task::spawn_blocking(move || {
        let c = crate::compare::compare(&dirs, false)
            .or_else(|_| crate::compare::compare(&dirs, true))?;
        Ok::<_, crate::compare::CompareError>(crate::compare::render(&c, e))
    })
    .await
    .map_err(|err| WebError::internal(err.to_string()))?
    .map_err(|err| WebError::bad("E819", err.to_string()))?;
    let root = state.store.root.join("runs").display().to_string();
    let text = text.replace(&format!("{root}/"), "runs/");
    let title = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" · ");
    let body = format!(
        "<h1>{} {title}</h1><pre id=\"comparison\">{}</pre>",
        tr(e, "运行对比", "Comparison of runs"),
        esc(&text)
    );
    Ok(frame(tr(e, "运行对比", "Comparison"), Some(&s), &body))
}

async fn audit(State(state): State<AppState>, s: Session) -> Result<Html<String>, WebError> {
    s.require(Action::Administer)?;
    let e = s.english;
    let mut body = format!(
        "<h1>{}</h1><table id=\"audit\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        tr(e, "审计日志", "Audit log"),
        tr(e, "时间 (UTC)", "When (UTC)"),
        tr(e, "用户", "User"),
        tr(e, "操作", "Action"),
        tr(e, "对象", "Detail")
    );
    for a in state.db.audit_log(1000)? {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.at),
            esc(&a.user),
            esc(&a.action),
            esc(&a.detail)
        ));
    }
    body.push_str("</table>");
    Ok(frame(tr(e, "审计日志", "Audit log"), Some(&s), &body))
}
