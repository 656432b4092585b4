//! Warning levels and pollutants.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Index, IndexMut};

/// A heavy-pollution warning level. Levels nest: red ⊇ orange ⊇ yellow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 黄色预警 (Ⅲ级).
    Yellow,
    /// 橙色预警 (Ⅱ级).
    Orange,
    /// 红色预警 (Ⅰ级).
    Red,
}

impl Level {
    /// All levels, weakest first.
    pub const ALL: [Level; 3] = [Level::Yellow, Level::Orange, Level::Red];

    /// Position in [`Level::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// English key used in files (`yellow`, `orange`, `red`).
    pub fn key(self) -> &'static str {
        match self {
            Level::Yellow => "yellow",
            Level::Orange => "orange",
            Level::Red => "red",
        }
    }

    /// Chinese label (黄色, 橙色, 红色).
    pub fn zh(self) -> &'static str {
        match self {
            Level::Yellow => "黄色",
            Level::Orange => "橙色",
            Level::Red => "红色",
        }
    }

    /// Parse an English or Chinese level name.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_lowercase().as_str() {
            "yellow" | "黄色" | "黄" | "黄色预警" | "iii" | "Ⅲ级" => Some(Level::Yellow),
            "orange" | "橙色" | "橙" | "橙色预警" | "ii" | "Ⅱ级" => Some(Level::Orange),
            "red" | "红色" | "红" | "红色预警" | "i" | "Ⅰ级" => Some(Level::Red),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// One of the four pollutants every list is checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pollutant {
    /// 二氧化硫.
    So2,
    /// 氮氧化物.
    Nox,
    /// 颗粒物.
    Pm,
    /// 挥发性有机物.
    Vocs,
}

impl Pollutant {
    /// All pollutants in report order.
    pub const ALL: [Pollutant; 4] = [
        Pollutant::So2,
        Pollutant::Nox,
        Pollutant::Pm,
        Pollutant::Vocs,
    ];

    /// Position in [`Pollutant::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Key used in files (`so2`, `nox`, `pm`, `vocs`).
    pub fn key(self) -> &'static str {
        match self {
            Pollutant::So2 => "so2",
            Pollutant::Nox => "nox",
            Pollutant::Pm => "pm",
            Pollutant::Vocs => "vocs",
        }
    }

    /// Display label (SO2, NOx, PM, VOCs).
    pub fn label(self) -> &'static str {
        match self {
            Pollutant::So2 => "SO2",
            Pollutant::Nox => "NOx",
            Pollutant::Pm => "PM",
            Pollutant::Vocs => "VOCs",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Pollutant::So2 => "二氧化硫",
            Pollutant::Nox => "氮氧化物",
            Pollutant::Pm => "颗粒物",
            Pollutant::Vocs => "挥发性有机物",
        }
    }

    /// Parse a key, label or Chinese name.
    pub fn parse(s: &str) -> Option<Pollutant> {
        match s.trim().to_lowercase().as_str() {
            "so2" | "二氧化硫" => Some(Pollutant::So2),
            "nox" | "氮氧化物" => Some(Pollutant::Nox),
            "pm" | "颗粒物" | "烟粉尘" => Some(Pollutant::Pm),
            "vocs" | "voc" | "挥发性有机物" => Some(Pollutant::Vocs),
            _ => None,
        }
    }
}

impl fmt::Display for Pollutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One value per pollutant, indexable by [`Pollutant`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PollutantVec<T>(pub [T; 4]);

impl<T: Copy> PollutantVec<T> {
    /// The same value for every pollutant.
    pub fn splat(v: T) -> Self {
        PollutantVec([v; 4])
    }
    /// Build from a function of the pollutant.
    pub fn from_fn(f: impl Fn(Pollutant) -> T) -> Self {
        PollutantVec(Pollutant::ALL.map(f))
    }
    /// Iterate `(pollutant, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (Pollutant, T)> + '_ {
        Pollutant::ALL.iter().map(move |&p| (p, self.0[p.index()]))
    }
}

impl<T> Index<Pollutant> for PollutantVec<T> {
    type Output = T;
    fn index(&self, p: Pollutant) -> &T {
        &self.0[p.index()]
    }
}

impl<T> IndexMut<Pollutant> for PollutantVec<T> {
    fn index_mut(&mut self, p: Pollutant) -> &mut T {
        &mut self.0[p.index()]
    }
}
