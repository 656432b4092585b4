//! Coupling-row families: the rows that tie lines together (level × pollutant targets, whole-line
//! stop counts, and any family added later). Each family declares its rows once — key, level,
//! right-hand side, the lines it counts and what it counts of a line's option at that level — and
//! every consumer (pricing, column generation, greedy, MIP, export, diagnosis, feasibility) reads
//! them through [`coupling_rows`] instead of knowing the families.
//!
//! Adding a family: implement [`CouplingFamily`] and list it in [`FAMILIES`].

use super::problem::{Choice, Problem, Scope, Unit};
use super::registry::{station_name, stop_lines_name, target_name, Family};
use crate::domain::Level;

/// What a coupling row counts of a line's option at the row's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attribute {
    /// Cut of pollutant `q` (index into `Choice::cut`), t/d.
    Cut(usize),
    /// Production loss, 万元/d.
    Loss,
    /// 1 when the option stops the line, else 0.
    Stop,
    /// Estimated PM2.5 reduction at receptor `r` (index into `Unit::air`), µg/m³: the unit's
    /// own transfer coefficients applied to the option's cuts. Priced as cuts (see
    /// [`Attribute::cut_weights`]).
    Air(usize),
}

impl Attribute {
    /// Number of distinct attributes (see [`Attribute::index`]).
    pub const COUNT: usize = 6;

    /// The attribute as a linear form over the plain attributes of unit `u`'s options (the
    /// four cuts, loss, stop — [`Attribute::COUNT`] entries): its value for an option is the
    /// dot product with (cut₀…cut₃, loss, stop). Station rows become weights on the cuts, so
    /// pricing a unit costs the same with or without them.
    pub fn cut_weights(self, u: &Unit) -> [f64; Attribute::COUNT] {
        let mut w = [0.0; Attribute::COUNT];
        match self {
            Attribute::Cut(q) => w[q] = 1.0,
            Attribute::Loss => w[4] = 1.0,
            Attribute::Stop => w[5] = 1.0,
            Attribute::Air(r) => {
                if let Some(t) = u.air_at(r) {
                    w[..4].copy_from_slice(t);
                }
            }
        }
        w
    }

    /// The attribute's value for option `c` of unit `u`.
    pub fn of(self, u: &Unit, c: &Choice) -> f64 {
        match self {
            Attribute::Cut(q) => c.cut[q],
            Attribute::Loss => c.loss,
            Attribute::Stop => f64::from(u8::from(c.stop)),
            Attribute::Air(r) => u.air_effect(r, c),
        }
    }
}

/// How a row's amount is measured, which decides how shortfalls are weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A quantity (t/d, 万元/d): a shortfall counts relative to the row's right-hand side.
    Quantity,
    /// A count of lines: a shortfall counts relative to what is still missing.
    Count,
}

/// One linear coupling row: `Σ weight · attribute(option of the unit at level) ≥ rhs` over its
/// members.
#[derive(Debug, Clone, PartialEq)]
pub struct CouplingRow {
    /// The family that declared it.
    pub family: Family,
    /// Registry name, e.g. `target:orange:NOx:city` or `stop-lines:red:<credit code>`.
    pub key: String,
    /// The level whose options it counts.
    pub level: Level,
    /// What it counts of an option.
    pub attribute: Attribute,
    /// Member units (ascending index) with their weight.
    pub members: Vec<(usize, f64)>,
    /// Right-hand side (may be ≤ 0: the row holds already).
    pub rhs: f64,
    /// How the amount is measured.
    pub measure: Measure,
    /// Index of the entity the row belongs to in its family's source (the target's index in
    /// `Problem::targets`, the group's in `Problem::groups`).
    pub source: usize,
    /// Position among one unit's rows of this family (the solver visits a unit's rows in
    /// family order, then this order).
    pub order: u32,
}

impl CouplingRow {
    /// Coefficient of option `c` of member `u` with `weight`.
    pub fn coefficient(&self, weight: f64, u: &Unit, c: &Choice) -> f64 {
        weight * self.attribute.of(u, c)
    }

    /// The most the members can contribute, each at its best nested triple.
    pub fn most(&self, p: &Problem) -> f64 {
        let k = self.level.index();
        self.members
            .iter()
            .map(|&(ui, w)| {
                let u = &p.units[ui];
                u.triples
                    .iter()
                    .map(|t| self.coefficient(w, u, &u.choices[t[k] as usize]))
                    .fold(0.0, f64::max)
            })
            .fold(0.0, |a, b| a + b)
    }

    /// Weight with which a shortfall of `deficit` on this row counts toward the greedy's gain.
    pub fn normaliser(&self, deficit: f64) -> f64 {
        match self.measure {
            Measure::Quantity => self.rhs.max(1e-12),
            Measure::Count => deficit,
        }
    }

    /// Scale of one unit of slack on this row (its right-hand side for quantities, 1 for counts).
    pub fn slack_scale(&self) -> f64 {
        match self.measure {
            Measure::Quantity => self.rhs.abs().max(1e-3),
            Measure::Count => 1.0,
        }
    }
}

/// A family of coupling rows. It declares each row's key, level, right-hand side, members and
/// coefficients once; nothing else in the model or the solver names the family.
pub trait CouplingFamily: Sync {
    /// Which family.
    fn family(&self) -> Family;
    /// Append the family's rows for `p`, in model order.
    fn rows(&self, p: &Problem, out: &mut Vec<CouplingRow>);
}

/// Level × pollutant × scope cut targets (`target:<level>:<pollutant>:<scope>`).
pub struct Targets;

impl CouplingFamily for Targets {
    fn family(&self) -> Family {
        Family::Target
    }

    fn rows(&self, p: &Problem, out: &mut Vec<CouplingRow>) {
        for (source, t) in p.targets.iter().enumerate() {
            let tier = match t.scope {
                Scope::City | Scope::Member(_) => 0,
                Scope::District(_) => 1,
                Scope::Controlled | Scope::MemberControlled(_) => 2,
            };
            // A target the scenario switches off keeps its row with rhs 0 (always met), so that
            // the target rows stay one per `Problem::targets` entry (duals, reasons).
            out.push(CouplingRow {
                family: Family::Target,
                key: target_name(p, t),
                level: t.level,
                attribute: Attribute::Cut(t.pollutant.index()),
                members: (0..p.units.len())
                    .filter(|&ui| p.contributes(&p.units[ui], t))
                    .map(|ui| (ui, 1.0))
                    .collect(),
                rhs: t.rhs,
                measure: Measure::Quantity,
                source,
                order: (tier * 3 + t.level.index() as u32) * 4 + t.pollutant.index() as u32,
            });
        }
    }
}

/// Whole-line stop counts per enterprise and level (`stop-lines:<level>:<credit code>`).
pub struct StopLines;

impl CouplingFamily for StopLines {
    fn family(&self) -> Family {
        Family::StopLines
    }

    fn rows(&self, p: &Problem, out: &mut Vec<CouplingRow>) {
        for (source, g) in p.groups.iter().enumerate() {
            for level in Level::ALL {
                out.push(CouplingRow {
                    family: Family::StopLines,
                    key: stop_lines_name(level, &g.enterprise),
                    level,
                    attribute: Attribute::Stop,
                    members: g.units.iter().map(|&ui| (ui, 1.0)).collect(),
                    rhs: g.min_stopped[level.index()] as f64,
                    measure: Measure::Count,
                    source,
                    order: level.index() as u32,
                });
            }
        }
    }
}

/// Estimated PM2.5 reduction at a station or the city mean of the stations per level
/// (`station:<level>:PM25:<station>`, `station:<level>:PM25:mean`): Σ over lines of the option's
/// cut × the line's transfer coefficients, summed over precursors, ≥ the required µg/m³.
/// Members are the lines with a coefficient for the receptor.
pub struct Stations;

impl CouplingFamily for Stations {
    fn family(&self) -> Family {
        Family::Station
    }

    fn rows(&self, p: &Problem, out: &mut Vec<CouplingRow>) {
        for (source, s) in p.stations.iter().enumerate() {
            out.push(CouplingRow {
                family: Family::Station,
                key: station_name(s),
                level: s.level,
                attribute: Attribute::Air(s.receptor),
                members: (0..p.units.len())
                    .filter(|&ui| {
                        p.units[ui]
                            .air_at(s.receptor)
                            .is_some_and(|t| t.iter().any(|&c| c != 0.0))
                    })
                    .map(|ui| (ui, 1.0))
                    .collect(),
                rhs: s.required,
                measure: Measure::Quantity,
                source,
                order: source as u32,
            });
        }
    }
}

/// The model's linear coupling families, in row order.
#[cfg(not(test))]
pub const FAMILIES: &[&dyn CouplingFamily] = &[&Targets, &StopLines, &Stations];

/// The model's linear coupling families, in row order, plus the test family that shows a new
/// family needs nothing but its declaration and this list entry.
#[cfg(test)]
pub const FAMILIES: &[&dyn CouplingFamily] = &[&Targets, &StopLines, &Stations, &tests::StopCap];

/// Every linear coupling row of `p`, family by family.
pub fn coupling_rows(p: &Problem) -> Vec<CouplingRow> {
    if let Some(rows) = &p.given_rows {
        return rows.clone();
    }
    let mut out = Vec::new();
    for f in FAMILIES {
        f.rows(p, &mut out);
    }
    out
}

/// Per unit, its rows as (row index, weight), in family order and, within a family, in each
/// row's `order`.
pub fn rows_by_unit(p: &Problem, rows: &[CouplingRow]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new(); p.units.len()];
    for (r, row) in rows.iter().enumerate() {
        for &(ui, w) in &row.members {
            out[ui].push((r, w));
        }
    }
    let family_pos = |f: Family| FAMILIES.iter().position(|x| x.family() == f);
    for list in &mut out {
        list.sort_by_key(|&(r, _)| (family_pos(rows[r].family), rows[r].order, r));
    }
    out
}

/// The value of every row under an assignment (triple index per unit), summed unit by unit.
pub fn row_values(p: &Problem, rows: &[CouplingRow], assignment: &[u32]) -> Vec<f64> {
    rows.iter()
        .map(|row| {
            let k = row.level.index();
            let mut v = 0.0;
            for &(ui, w) in &row.members {
                let u = &p.units[ui];
                let c = &u.choices[u.triples[assignment[ui] as usize][k] as usize];
                v += row.coefficient(w, u, c);
            }
            v
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    //! A family declared only here — "at most `cap` whole-line stops at yellow among some lines"
    //! — and listed in `FAMILIES`: the solver (column generation, MIP, the infeasibility proof),
    //! the feasibility test and the row registry honour it without any other change.
    use super::*;
    use crate::domain::Pollutant;
    use crate::model::{Target, Unit};
    use crate::solve::{solve, Method, SolveOptions};
    use std::cell::RefCell;

    thread_local! {
        /// (members, cap) of the test family in this thread; none by default.
        static CAP: RefCell<Option<(Vec<usize>, usize)>> = const { RefCell::new(None) };
    }

    /// The test family: `−Σ stop(yellow option) ≥ −cap` over the members.
    pub(crate) struct StopCap;

    impl CouplingFamily for StopCap {
        fn family(&self) -> Family {
            Family::StopCap
        }

        fn rows(&self, _p: &Problem, out: &mut Vec<CouplingRow>) {
            CAP.with(|c| {
                if let Some((members, cap)) = &*c.borrow() {
                    out.push(CouplingRow {
                        family: Family::StopCap,
                        key: "stop-cap:yellow:test".into(),
                        level: Level::Yellow,
                        attribute: Attribute::Stop,
                        members: members.iter().map(|&u| (u, -1.0)).collect(),
                        rhs: -(*cap as f64),
                        measure: Measure::Count,
                        source: 0,
                        order: 99,
                    });
                }
            });
        }
    }

    fn choice(cut: f64, loss: f64, stop: bool) -> Choice {
        Choice {
            limit: if stop { 1.0 } else { 0.5 },
            declared: None,
            cut: [cut, 0.0, 0.0, 0.0],
            loss,
            electricity: 0.0,
            stop,
        }
    }

    /// Line 0 meets the target by stopping (cost 1); line 1 by a limit (cost 3).
    fn problem() -> Problem {
        let unit = |line: usize, option: Choice| Unit {
            rule: line,
            line,
            district: None,
            controlled: true,
            costs: vec![0.0, option.loss],
            level_costs: vec![[0.0; 3], [option.loss, 0.0, 0.0]],
            choices: vec![choice(0.0, 0.0, false), option],
            triples: vec![[0, 0, 0], [1, 1, 1]],
            group: None,
            air: Vec::new(),
            member: 0,
        };
        Problem {
            units: vec![
                unit(0, choice(10.0, 1.0, true)),
                unit(1, choice(10.0, 3.0, false)),
            ],
            targets: vec![Target {
                level: Level::Yellow,
                pollutant: Pollutant::So2,
                scope: Scope::City,
                base: 100.0,
                ratio: 0.1,
                required: 10.0,
                credit: 0.0,
                rhs: 10.0,
                enforced: true,
            }],
            days: [1.0; 3],
            restart_days: [0.0; 3],
            ..Problem::default()
        }
    }

    fn plan(method: Method) -> (Vec<u32>, f64) {
        let opts = SolveOptions {
            method,
            time_limit: 10.0,
            rel_gap: 0.0,
            threads: 1,
        };
        let sol = solve(&problem(), &opts);
        (
            sol.assignment.expect("a plan"),
            sol.report.objective.expect("an objective"),
        )
    }

    #[test]
    fn a_family_declared_once_binds_solver_feasibility_and_export() {
        let p = problem();
        CAP.with(|c| *c.borrow_mut() = None);
        assert_eq!(coupling_rows(&p).len(), 1);
        for method in [Method::Mip, Method::Greedy] {
            assert_eq!(
                plan(method),
                (vec![1, 0], 1.0),
                "{method:?} without the cap"
            );
        }
        CAP.with(|c| *c.borrow_mut() = Some((vec![0], 0)));
        let rows = coupling_rows(&p);
        assert_eq!(rows.len(), 2);
        assert!(!p.feasible(&[1, 0]), "stopping line 0 breaks the cap");
        assert!(p.feasible(&[0, 1]));
        // The greedy only strengthens measures, so it cannot undo a stop a cap forbids; the
        // exact phase finds the plan.
        assert_eq!(plan(Method::Mip), (vec![0, 1], 3.0), "with the cap");
        let names = crate::model::registry::rows(&p, &["A".into(), "B".into()]);
        assert!(names.iter().any(|(_, n)| n == "stop-cap:yellow:test"));
        // The exported model holds the row: −1 on line 0's stopping option at yellow.
        let (m, cols) = crate::model::export::compact(&p, |u| if u.line == 0 { "A" } else { "B" });
        let row = m
            .rows
            .iter()
            .find(|r| r.name == "stop-cap:yellow:test")
            .expect("row");
        let stop_col = cols[0][0].iter().find(|&&(c, _)| c == 1).expect("column").1;
        assert_eq!(row.terms, vec![(stop_col, -1.0)]);
        assert_eq!(row.rhs, 0.0);
        // When the target needs both lines, the cap leaves no plan, and the solver proves it.
        let mut p = p;
        p.targets[0].rhs = 20.0;
        assert!(!p.feasible(&[1, 1]) && !p.feasible(&[0, 1]));
        let opts = SolveOptions {
            method: Method::Mip,
            time_limit: 10.0,
            rel_gap: 0.0,
            threads: 1,
        };
        let sol = solve(&p, &opts);
        assert!(sol.assignment.is_none());
        assert_eq!(sol.report.status, crate::solve::Status::Infeasible);
        CAP.with(|c| *c.borrow_mut() = None);
    }

    #[test]
    fn rows_carry_members_coefficients_and_visiting_order() {
        let p = problem();
        let rows = coupling_rows(&p);
        let t = &rows[0];
        assert_eq!(t.key, "target:yellow:SO2:city");
        assert_eq!(t.members, vec![(0, 1.0), (1, 1.0)]);
        assert_eq!(t.most(&p), 20.0);
        assert_eq!(row_values(&p, &rows, &[1, 0]), vec![10.0]);
        assert_eq!(
            rows_by_unit(&p, &rows),
            vec![vec![(0, 1.0)], vec![(0, 1.0)]]
        );
        assert_eq!(Attribute::Stop.of(&p.units[0], &p.units[0].choices[1]), 1.0);
        assert_eq!(Attribute::Loss.of(&p.units[1], &p.units[1].choices[1]), 3.0);
    }
}
