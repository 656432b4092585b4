//! Writing the full model (every unit × every nested triple, binaries) in CPLEX LP or free MPS
//! format, with row names from the registry, so an auditor can solve it with another solver.

use super::problem::Problem;
use super::registry::{ascii_id, target_id, target_name};
use crate::domain::Inventory;
use std::fmt::Write as _;

fn col_name(inv: &Inventory, p: &Problem, u: usize, t: usize) -> String {
    format!("x_{}_{t}", ascii_id(&inv.lines[p.units[u].line].id))
}

fn fmt(v: f64) -> String {
    format!("{v:.12}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// One exported row: name, comment, (unit, triple, coefficient) terms, right-hand side, equality.
type ExportRow = (String, String, Vec<(usize, usize, f64)>, f64, bool);

/// Rows as (name, comment, coefficients, rhs); `>=` rows except `choose` rows (`=`).
fn rows(inv: &Inventory, p: &Problem) -> Vec<ExportRow> {
    let mut out = Vec::new();
    for (ui, u) in p.units.iter().enumerate() {
        let id = &inv.lines[u.line].id;
        out.push((
            format!("choose_{}", ascii_id(id)),
            format!("choose:{id}"),
            (0..u.triples.len()).map(|t| (ui, t, 1.0)).collect(),
            1.0,
            true,
        ));
    }
    for t in &p.targets {
        let mut coefs = Vec::new();
        for (ui, u) in p
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| p.contributes(u, t))
        {
            for ti in 0..u.triples.len() {
                let c = p.triple_cut(u, ti, t);
                if c != 0.0 {
                    coefs.push((ui, ti, c));
                }
            }
        }
        out.push((target_id(t), target_name(p, t), coefs, t.rhs, false));
    }
    for g in &p.groups {
        for k in 0..3 {
            let mut coefs = Vec::new();
            for &ui in &g.units {
                let u = &p.units[ui];
                for (ti, tr) in u.triples.iter().enumerate() {
                    if u.choices[tr[k] as usize].stop {
                        coefs.push((ui, ti, 1.0));
                    }
                }
            }
            let level = crate::domain::Level::ALL[k].key();
            out.push((
                format!("stoplines_{level}_{}", ascii_id(&g.enterprise)),
                format!("stop-lines:{level}:{}", g.enterprise),
                coefs,
                g.min_stopped[k] as f64,
                false,
            ));
        }
    }
    out
}

/// CPLEX LP format.
pub fn to_lp(inv: &Inventory, p: &Problem) -> String {
    let mut s = String::from("\\ jianpai emergency-list model: choose one nested triple per line\n\\ objective: expected season loss (万元)\nMinimize\n obj:");
    for (ui, u) in p.units.iter().enumerate() {
        for (ti, c) in u.costs.iter().enumerate() {
            let _ = write!(s, " + {} {}", fmt(*c), col_name(inv, p, ui, ti));
        }
        s.push('\n');
    }
    s.push_str("Subject To\n");
    for (name, comment, coefs, rhs, eq) in rows(inv, p) {
        let _ = writeln!(s, "\\ {comment}");
        let _ = write!(s, " {name}:");
        if coefs.is_empty() {
            s.push_str(" 0 x_dummy");
        }
        for (ui, ti, c) in coefs {
            let _ = write!(s, " + {} {}", fmt(c), col_name(inv, p, ui, ti));
        }
        let _ = writeln!(s, " {} {}", if eq { "=" } else { ">=" }, fmt(rhs));
    }
    s.push_str("Binary\n");
    for (ui, u) in p.units.iter().enumerate() {
        for ti in 0..u.triples.len() {
            let _ = writeln!(s, " {}", col_name(inv, p, ui, ti));
        }
    }
    s.push_str("End\n");
    s
}

/// Free MPS format.
pub fn to_mps(inv: &Inventory, p: &Problem) -> String {
    let rows = rows(inv, p);
    let mut s = String::from("NAME jianpai\nROWS\n N obj\n");
    let mut col_rows: Vec<Vec<Vec<(usize, f64)>>> = p
        .units
        .iter()
        .map(|u| vec![Vec::new(); u.triples.len()])
        .collect();
    for (ri, (name, _, coefs, _, eq)) in rows.iter().enumerate() {
        let _ = writeln!(s, " {} {name}", if *eq { "E" } else { "G" });
        for &(ui, ti, c) in coefs {
            col_rows[ui][ti].push((ri, c));
        }
    }
    s.push_str("COLUMNS\n MARKER MARKER INTORG\n");
    for (ui, u) in p.units.iter().enumerate() {
        for (ti, (cost, terms)) in u.costs.iter().zip(&col_rows[ui]).enumerate() {
            let name = col_name(inv, p, ui, ti);
            let _ = writeln!(s, " {name} obj {}", fmt(*cost));
            for &(ri, c) in terms {
                let _ = writeln!(s, " {name} {} {}", rows[ri].0, fmt(c));
            }
        }
    }
    s.push_str(" MARKER MARKER INTEND\nRHS\n");
    for (name, _, _, rhs, _) in &rows {
        if *rhs != 0.0 {
            let _ = writeln!(s, " RHS {name} {}", fmt(*rhs));
        }
    }
    s.push_str("BOUNDS\n");
    for (ui, u) in p.units.iter().enumerate() {
        for ti in 0..u.triples.len() {
            let _ = writeln!(s, " BV BND {}", col_name(inv, p, ui, ti));
        }
    }
    s.push_str("ENDATA\n");
    s
}
