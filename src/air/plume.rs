//! The screening model: a sector-averaged Gaussian plume (the long-term form of the ISC model)
//! with Pasquill–Gifford stability classes and Briggs' rural dispersion curves.
//!
//! For a source of strength Q (g/s) at effective height H (m) and a receptor at distance x (m)
//! in the 22.5° sector downwind of wind class k (frequency f_k, speed u_k, stability s_k), the
//! long-term ground-level concentration is
//!
//! C = Σ_k f_k · √(2/π) · Q / (u_k · σz(x, s_k) · 2πx/16) · exp(−H² / (2 σz(x, s_k)²)),
//!
//! the crosswind-integrated plume with ground reflection spread evenly over the sector's arc.
//! σz follows Briggs (1973) for open country: A 0.20x; B 0.12x; C 0.08x(1+0.0002x)^−½;
//! D 0.06x(1+0.0015x)^−½; E 0.03x(1+0.0003x)^−1; F 0.016x(1+0.0003x)^−1. Distances below
//! [`MIN_DISTANCE`] are raised to it (the curves start at 100 m). No plume rise is added: the
//! effective height is the stack height (or [`DEFAULT_HEIGHT`]); no deposition or decay.

use super::met::{sector_of, MetClass, Stability};

/// Effective release height when the lines table states none, m.
pub const DEFAULT_HEIGHT: f64 = 30.0;
/// Shortest source–receptor distance used, m.
pub const MIN_DISTANCE: f64 = 100.0;
/// g/s emitted per t/d.
pub const GRAMS_PER_SECOND_PER_TONNE_PER_DAY: f64 = 1e6 / 86_400.0;

/// Briggs' rural σz (m) at distance x (m).
pub fn sigma_z(x: f64, s: Stability) -> f64 {
    match s {
        Stability::A => 0.20 * x,
        Stability::B => 0.12 * x,
        Stability::C => 0.08 * x / (1.0 + 0.0002 * x).sqrt(),
        Stability::D => 0.06 * x / (1.0 + 0.0015 * x).sqrt(),
        Stability::E => 0.03 * x / (1.0 + 0.0003 * x),
        Stability::F => 0.016 * x / (1.0 + 0.0003 * x),
    }
}

/// Long-term ground-level concentration (µg/m³) per t/d emitted at height `height` (m), at a
/// receptor `east`, `north` metres from the source.
pub fn dilution(east: f64, north: f64, height: f64, met: &[MetClass]) -> f64 {
    let x = (east * east + north * north).sqrt().max(MIN_DISTANCE);
    let bearing = east.atan2(north).to_degrees();
    let downwind = sector_of(bearing);
    let q = GRAMS_PER_SECOND_PER_TONNE_PER_DAY;
    let arc = 2.0 * std::f64::consts::PI * x / 16.0;
    let mut c = 0.0;
    for k in met.iter().filter(|k| (k.from + 8) % 16 == downwind) {
        let sz = sigma_z(x, k.stability);
        c += k.frequency * (2.0 / std::f64::consts::PI).sqrt() * q / (k.speed * sz * arc)
            * (-height * height / (2.0 * sz * sz)).exp();
    }
    c * 1e6
}

/// Illustrative PM2.5 formed per unit of precursor concentration at city scale (SO2, NOx, PM,
/// VOCs): the PM2.5 share of primary particulate and rough secondary yields of sulphate,
/// nitrate and organic aerosol. Screening values, not chemistry.
pub const PM25_YIELD: [f64; 4] = [0.15, 0.1, 0.3, 0.02];
