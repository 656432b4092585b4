//! Fair lists (同组同措施): the scenario's `[fairness]` table. Lines that share the named
//! attributes (industry, grade, process, …) form a group; at each level the group's lines take
//! one common measure (`mode = "uniform"`) or at most `max_distinct` different measures.

use super::{Enterprise, Inventory, Level, Line, Measure};
use serde::{Deserialize, Serialize};

/// An attribute that groups lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    /// The enterprise's industry code.
    Industry,
    /// The enterprise's effective performance grade.
    Grade,
    /// The line's process.
    Process,
    /// The enterprise's district.
    District,
    /// The enterprise's industrial cluster (lines of firms without one are left out).
    Cluster,
    /// The enterprise itself (all its lines alike).
    Enterprise,
}

impl Attribute {
    /// Every attribute, in the order their names are listed in messages.
    pub const ALL: [Attribute; 6] = [
        Attribute::Industry,
        Attribute::Grade,
        Attribute::Process,
        Attribute::District,
        Attribute::Cluster,
        Attribute::Enterprise,
    ];

    /// Key as written in the scenario.
    pub fn key(self) -> &'static str {
        match self {
            Attribute::Industry => "industry",
            Attribute::Grade => "grade",
            Attribute::Process => "process",
            Attribute::District => "district",
            Attribute::Cluster => "cluster",
            Attribute::Enterprise => "enterprise",
        }
    }

    /// Chinese label (as in group names: `行业=C3011`).
    pub fn zh(self) -> &'static str {
        match self {
            Attribute::Industry => "行业",
            Attribute::Grade => "绩效等级",
            Attribute::Process => "工序",
            Attribute::District => "区县",
            Attribute::Cluster => "集群",
            Attribute::Enterprise => "企业",
        }
    }

    /// Parse a key (English or the Chinese label).
    pub fn parse(s: &str) -> Option<Attribute> {
        let s = s.trim();
        Attribute::ALL
            .into_iter()
            .find(|a| a.key().eq_ignore_ascii_case(s) || a.zh() == s)
    }

    /// The value of this attribute for a line; `None` when the inventory leaves it empty.
    pub fn value(self, inv: &Inventory, ent: &Enterprise, line: &Line) -> Option<String> {
        let v = match self {
            Attribute::Industry => ent.industry.clone(),
            Attribute::Grade => inv
                .industries
                .effective_grade(&ent.industry, ent.grade)
                .label()
                .to_string(),
            Attribute::Process => line.process.clone(),
            Attribute::District => ent.district.clone(),
            Attribute::Cluster => ent.cluster.clone()?,
            Attribute::Enterprise => ent.code.to_string(),
        };
        (!v.trim().is_empty()).then_some(v)
    }
}

/// `[fairness]` as written in the scenario. Values are kept as written and typed by
/// [`FairnessSettings::check`], so that a value of the wrong type is named with its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessSettings {
    /// Attributes whose values form a group (`["industry", "grade"]`).
    pub group: toml::Value,
    /// `"uniform"`: one measure per group and level.
    #[serde(default)]
    pub mode: Option<toml::Value>,
    /// At most this many distinct measures per group and level.
    #[serde(default)]
    pub max_distinct: Option<toml::Value>,
    /// Levels the rule applies to (default: all three).
    #[serde(default)]
    pub levels: Option<toml::Value>,
}

/// The strings of a TOML array, or `None` when the value is not an array of strings.
fn strings(v: &toml::Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// Most distinct measures a group may be allowed (more is no fairness rule at all).
pub const MAX_DISTINCT: i64 = 20;

/// The checked fairness rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fairness {
    /// Grouping attributes, in the order given.
    pub group: Vec<Attribute>,
    /// Most distinct measures per group and level (1 = uniform).
    pub max_distinct: usize,
    /// Levels the rule applies to.
    pub levels: Vec<Level>,
}

impl FairnessSettings {
    /// The typed rule, or every problem of the table (codes E511–E513), one message each.
    pub fn check(&self) -> Result<Fairness, Vec<String>> {
        let mut errs = Vec::new();
        let names = Attribute::ALL.map(Attribute::key).join(", ");
        let mut group = Vec::new();
        let given = strings(&self.group).unwrap_or_else(|| {
            errs.push(format!(
                "E511 [fairness] group = {}：须为属性名列表，如 [\"industry\", \"grade\"] / [fairness] group = {0}: a list of attribute names, e.g. [\"industry\", \"grade\"]",
                self.group
            ));
            Vec::new()
        });
        if self.group.as_array().is_some_and(|a| a.is_empty()) {
            errs.push(format!(
                "E511 [fairness] group 为空：请列出分组属性（{names}） / [fairness] group is empty: list the grouping attributes ({names})"
            ));
        }
        for g in &given {
            match Attribute::parse(g) {
                Some(a) if group.contains(&a) => errs.push(format!(
                    "E511 [fairness] group：属性 '{g}' 重复 / [fairness] group: attribute '{g}' is given twice"
                )),
                Some(a) => group.push(a),
                None => errs.push(format!(
                    "E511 [fairness] group：未知分组属性 '{g}'（可用：{names}） / [fairness] group: unknown attribute '{g}' (use {names})"
                )),
            }
        }
        let mode = self.mode.as_ref().map(|m| match m.as_str() {
            Some(s) => s.trim().to_string(),
            None => m.to_string(),
        });
        let k = self.max_distinct.as_ref().map(|v| v.as_integer().ok_or(v));
        let max_distinct = match (mode.as_deref(), k) {
            (_, Some(Err(v))) => {
                errs.push(format!(
                    "E512 [fairness] max_distinct = {v}：须为 1 到 {MAX_DISTINCT} 的整数 / [fairness] max_distinct = {v}: a whole number from 1 to {MAX_DISTINCT}"
                ));
                None
            }
            (Some("uniform" | "统一"), None) => Some(1),
            (None, Some(Ok(k))) if (1..=MAX_DISTINCT).contains(&k) => Some(k as usize),
            (None, Some(Ok(k))) => {
                errs.push(format!(
                    "E512 [fairness] max_distinct = {k}：须为 1 到 {MAX_DISTINCT} 的整数 / [fairness] max_distinct = {k}: a whole number from 1 to {MAX_DISTINCT}"
                ));
                None
            }
            (Some(m), None) => {
                errs.push(format!(
                    "E512 [fairness] mode = '{m}'：未知模式（可用 \"uniform\"，或改用 max_distinct = k） / [fairness] mode = '{m}': unknown mode (use \"uniform\", or max_distinct = k)"
                ));
                None
            }
            (Some(_), Some(_)) => {
                errs.push("E512 [fairness]：mode 与 max_distinct 只能二选一 / [fairness]: give either mode or max_distinct, not both".into());
                None
            }
            (None, None) => {
                errs.push("E512 [fairness]：缺少 mode = \"uniform\" 或 max_distinct = k / [fairness]: give mode = \"uniform\" or max_distinct = k".into());
                None
            }
        };
        let mut levels = Vec::new();
        match self.levels.as_ref().map(|v| strings(v).ok_or(v)) {
            None => levels = Level::ALL.to_vec(),
            Some(Err(v)) => errs.push(format!(
                "E513 [fairness] levels = {v}：须为预警级别列表，如 [\"orange\", \"red\"] / [fairness] levels = {v}: a list of warning levels, e.g. [\"orange\", \"red\"]"
            )),
            Some(Ok(v)) if v.is_empty() => errs.push(
                "E513 [fairness] levels 为空：省略该键即为全部级别 / [fairness] levels is empty: leave the key out for all levels".into(),
            ),
            Some(Ok(v)) => {
                for s in &v {
                    match Level::parse(s) {
                        Some(l) if !levels.contains(&l) => levels.push(l),
                        Some(_) => errs.push(format!(
                            "E513 [fairness] levels：级别 '{s}' 重复 / [fairness] levels: '{s}' is given twice"
                        )),
                        None => errs.push(format!(
                            "E513 [fairness] levels：未知预警级别 '{s}'（yellow/黄色, orange/橙色, red/红色） / [fairness] levels: unknown warning level '{s}'"
                        )),
                    }
                }
                levels.sort();
            }
        }
        match max_distinct {
            Some(max_distinct) if errs.is_empty() => Ok(Fairness {
                group,
                max_distinct,
                levels,
            }),
            _ => Err(errs),
        }
    }
}

impl Fairness {
    /// Mode text for summaries: `uniform` or `max_distinct=k`.
    pub fn mode_key(&self) -> String {
        if self.max_distinct == 1 {
            "uniform".into()
        } else {
            format!("max_distinct={}", self.max_distinct)
        }
    }

    /// The group a line belongs to (`行业=C3011 / 绩效等级=B`), `None` when one of the
    /// attributes is empty for it.
    pub fn group_of(&self, inv: &Inventory, line: &Line) -> Option<String> {
        let ent = inv.enterprise_of(line);
        let parts: Option<Vec<String>> = self
            .group
            .iter()
            .map(|a| a.value(inv, ent, line).map(|v| format!("{}={v}", a.zh())))
            .collect();
        parts.map(|p| p.join(" / "))
    }
}

/// What fairness compares: the measure without its transport part (`L20`, `S`, `V`, `D:CODE`).
pub fn measure_key(m: &Measure) -> String {
    Measure {
        transport: super::Transport::None,
        ..m.clone()
    }
    .code()
}
