//! jianpai (减排): heavy-pollution emergency reduction lists and staggered-production calendars.
//!
//! The pipeline is visible in the module tree:
//! files ([`io`]) → raw rows → [`validate`] → [`domain`] → [`rules`] → [`model`] → [`solve`]
//! → [`plan`] → [`check`] → [`report`].

pub mod air;
pub mod audit;
pub mod check;
pub mod cli;
pub mod compare;
pub mod diagnose;
pub mod diff;
pub mod domain;
pub mod exit;
pub mod explain;
pub mod import;
pub mod io;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod region;
pub mod report;
pub mod revise;
pub mod rules;
pub mod seeds;
pub mod serve;
pub mod solve;
pub mod stagger;
pub mod sweep;
pub mod units;
pub mod validate;
