//! Unit newtypes, so that a tonne is never added to a yuan.

use serde::{Deserialize, Serialize};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Sub};

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl Add for $name {
            type Output = Self;
            fn add(self, o: Self) -> Self { Self(self.0 + o.0) }
        }
        impl Sub for $name {
            type Output = Self;
            fn sub(self, o: Self) -> Self { Self(self.0 - o.0) }
        }
        impl AddAssign for $name {
            fn add_assign(&mut self, o: Self) { self.0 += o.0 }
        }
        impl Mul<Fraction> for $name {
            type Output = Self;
            fn mul(self, f: Fraction) -> Self { Self(self.0 * f.0) }
        }
        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(it: I) -> Self { Self(it.map(|x| x.0).sum()) }
        }
        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a Self>>(it: I) -> Self { Self(it.map(|x| x.0).sum()) }
        }
    };
}

unit!(
    /// Emissions in tonnes per day (t/d).
    TonnesPerDay
);
unit!(
    /// Production value in 10,000 yuan per day (万元/日).
    WanYuanPerDay
);
unit!(
    /// Electricity in kWh per day.
    KwhPerDay
);
unit!(
    /// Production in the line's own capacity unit per day (t/d of product, m²/d, …).
    CapacityPerDay
);
unit!(
    /// Money in 10,000 yuan (万元), e.g. a season's expected loss.
    WanYuan
);

/// A share between 0 and 1 (a cut ratio, an output limit, a minimum load).
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fraction(pub f64);

impl Fraction {
    /// Zero share.
    pub const ZERO: Fraction = Fraction(0.0);
    /// The whole.
    pub const ONE: Fraction = Fraction(1.0);
    /// The share as a percentage.
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

impl WanYuanPerDay {
    /// Daily value over a number of days.
    pub fn over_days(self, days: f64) -> WanYuan {
        WanYuan(self.0 * days)
    }
}
