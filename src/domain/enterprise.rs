//! Enterprises and their performance grades.

use super::CreditCode;
use crate::units::Fraction;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 环保绩效分级 (performance grade), Technical Guide 2020.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// A级: no mandatory measures.
    A,
    /// 引领性: industries graded against one bar; no mandatory measures.
    Leading,
    /// B级.
    B,
    /// B-级.
    BMinus,
    /// C级.
    C,
    /// D级.
    D,
    /// 未评级: treated as its industry's lowest grade in key industries.
    Unrated,
}

impl Grade {
    /// All grades in table order.
    pub const ALL: [Grade; 7] = [
        Grade::A,
        Grade::Leading,
        Grade::B,
        Grade::BMinus,
        Grade::C,
        Grade::D,
        Grade::Unrated,
    ];

    /// Label used in files and reports (A, 引领性, B, B-, C, D, 未评级).
    pub fn label(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::Leading => "引领性",
            Grade::B => "B",
            Grade::BMinus => "B-",
            Grade::C => "C",
            Grade::D => "D",
            Grade::Unrated => "未评级",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Grade::Leading => "leading",
            Grade::Unrated => "unrated",
            g => g.label(),
        }
    }

    /// Parse a grade as written in Chinese or English lists; empty means unrated.
    pub fn parse(s: &str) -> Option<Grade> {
        let t = s.trim().to_uppercase();
        // Platform exports write C级, B-级, 绩效C, 环保绩效A级.
        let t = ["环保绩效", "绩效分级", "绩效等级", "绩效"]
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .unwrap_or(&t)
            .trim();
        let t = t
            .trim_end_matches("企业")
            .trim_end_matches('级')
            .trim_end_matches("类")
            .trim();
        match t {
            "A" => Some(Grade::A),
            "引领性" | "引领" | "LEADING" => Some(Grade::Leading),
            "B" => Some(Grade::B),
            "B-" | "B－" | "B−" | "BMINUS" => Some(Grade::BMinus),
            "C" => Some(Grade::C),
            "D" => Some(Grade::D),
            "" | "未评级" | "未评" | "未分级" | "未分" | "UNRATED" | "NONE" | "-" => {
                Some(Grade::Unrated)
            }
            _ => None,
        }
    }

    /// A and 引领性 carry no mandatory measures.
    pub fn is_voluntary(self) -> bool {
        matches!(self, Grade::A | Grade::Leading)
    }

    /// Strictness rank: higher means stricter measures (A=0 … D=4).
    pub fn strictness(self) -> u8 {
        match self {
            Grade::A | Grade::Leading => 0,
            Grade::B => 1,
            Grade::BMinus => 2,
            Grade::C => 3,
            Grade::D | Grade::Unrated => 4,
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An enterprise on the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    /// 统一社会信用代码.
    pub code: CreditCode,
    /// 企业名称.
    pub name: String,
    /// 区县 (district), as named in the dataset's district table.
    pub district: String,
    /// Industry code from the industry table.
    pub industry: String,
    /// Grade as filed (before the unrated → lowest rule).
    pub grade: Grade,
    /// 豁免: on the published exempt list, with its reason.
    pub exempt: Option<String>,
    /// 保障类: certified minimum load as a share of baseline output.
    pub guarantee_min_load: Option<Fraction>,
    /// VOC industrial cluster, if any (产业集群).
    pub cluster: Option<String>,
}
