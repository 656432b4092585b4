//! Chinese / English labels of the reports (Chinese by default).

use crate::domain::{Grade, Level, Pollutant};

/// The language of one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// English instead of Chinese.
    pub english: bool,
}

impl Labels {
    /// Pick the Chinese or the English text.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.english {
            en
        } else {
            zh
        }
    }

    /// 黄色预警 / yellow warning.
    pub fn level(&self, l: Level) -> String {
        if self.english {
            format!("{} warning", l.key())
        } else {
            format!("{}预警", l.zh())
        }
    }

    /// 黄色 / yellow.
    pub fn level_short(&self, l: Level) -> &'static str {
        if self.english {
            l.key()
        } else {
            l.zh()
        }
    }

    /// SO2, NOx, 颗粒物, VOCs (the usual column labels of Chinese lists).
    pub fn pollutant(&self, p: Pollutant) -> &'static str {
        match (p, self.english) {
            (Pollutant::Pm, false) => "颗粒物",
            (p, _) => p.label(),
        }
    }

    /// Grade label (A, B, 引领性, 未评级 / leading, unrated).
    pub fn grade(&self, g: Grade) -> &'static str {
        if self.english {
            g.label_en()
        } else {
            g.label()
        }
    }

    /// Yes / no.
    pub fn yes_no(&self, v: bool) -> &'static str {
        match (v, self.english) {
            (true, false) => "是",
            (false, false) => "否",
            (true, true) => "yes",
            (false, true) => "no",
        }
    }
}

/// Colours of series that are not levels (cities, scenarios), in order; reused round-robin.
pub const PALETTE: [&str; 6] = [
    "#2e75b6", "#70ad47", "#7030a0", "#c55a11", "#5b6b7f", "#00a0b0",
];

/// Colour of a warning level in charts.
pub fn level_colour(l: Level) -> &'static str {
    match l {
        Level::Yellow => "#e6b800",
        Level::Orange => "#f08c00",
        Level::Red => "#d62828",
    }
}
