//! Production lines / facilities: the unit of 一厂一策.

use super::{CreditCode, PollutantVec};
use crate::units::{CapacityPerDay, Fraction, KwhPerDay, TonnesPerDay, WanYuanPerDay};
use serde::{Deserialize, Serialize};

/// Whether a line is producing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LineStatus {
    /// 在产.
    Active,
    /// 停产 / 闲置: cannot contribute a cut (no phantom cuts).
    Idle,
}

impl LineStatus {
    /// Parse a status as inventories and platform exports write it (empty: active).
    pub fn parse(s: &str) -> Option<LineStatus> {
        match s.trim().to_lowercase().as_str() {
            "" | "在产" | "生产" | "正常生产" | "正常" | "运行" | "正常运行" | "投运"
            | "active" => Some(LineStatus::Active),
            "停产" | "闲置" | "停用" | "关停" | "停业" | "停运" | "已关停" | "idle" => {
                Some(LineStatus::Idle)
            }
            _ => None,
        }
    }

    /// The word written in inventories: 在产 or 停产.
    pub fn zh(self) -> &'static str {
        match self {
            LineStatus::Active => "在产",
            LineStatus::Idle => "停产",
        }
    }
}

/// A production line, process or facility.
///
/// Emissions, output value and electricity are stated for operation at the approved
/// capacity; [`Line::baseline_scale`] shrinks them to the effective baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Line id, unique in the inventory.
    pub id: String,
    /// Owning enterprise.
    pub enterprise: CreditCode,
    /// 生产线/设施名称.
    pub name: String,
    /// 工序 (process), e.g. 熟料, 烧结, 涂装.
    pub process: String,
    /// 核定产能 (daily mean).
    pub capacity_approved: CapacityPerDay,
    /// 许可产能 (daily mean), if known.
    pub capacity_permitted: Option<CapacityPerDay>,
    /// 上年实际日均产量, if known.
    pub output_last_year: Option<CapacityPerDay>,
    /// 日产值 at approved capacity.
    pub output_value: WanYuanPerDay,
    /// Daily emissions at approved capacity.
    pub emissions: PollutantVec<TonnesPerDay>,
    /// Daily electricity use at approved capacity.
    pub electricity: KwhPerDay,
    /// 在产 / 停产.
    pub status: LineStatus,
}

impl Line {
    /// Effective capacity baseline: the smallest of approved, permitted and last year's output.
    pub fn effective_capacity(&self) -> CapacityPerDay {
        let mut c = self.capacity_approved.0;
        for v in [self.capacity_permitted, self.output_last_year]
            .into_iter()
            .flatten()
        {
            c = c.min(v.0);
        }
        CapacityPerDay(c)
    }

    /// Share of the approved-capacity figures that the effective baseline represents.
    pub fn baseline_scale(&self) -> Fraction {
        if self.capacity_approved.0 <= 0.0 {
            return Fraction::ZERO;
        }
        Fraction((self.effective_capacity().0 / self.capacity_approved.0).clamp(0.0, 1.0))
    }

    /// Baseline emissions that cuts are counted against (zero for idle lines).
    pub fn baseline_emissions(&self) -> PollutantVec<TonnesPerDay> {
        let s = self.active_scale();
        PollutantVec::from_fn(|p| self.emissions[p] * s)
    }

    /// Baseline daily output value (zero for idle lines).
    pub fn baseline_value(&self) -> WanYuanPerDay {
        self.output_value * self.active_scale()
    }

    /// Baseline daily electricity (zero for idle lines).
    pub fn baseline_electricity(&self) -> KwhPerDay {
        self.electricity * self.active_scale()
    }

    fn active_scale(&self) -> Fraction {
        match self.status {
            LineStatus::Active => self.baseline_scale(),
            LineStatus::Idle => Fraction::ZERO,
        }
    }
}
