//! What-if edits of an inventory stated in a scenario: enterprise changes and the list filter.

use super::scenario::{EnterpriseChange, InventoryFilter};
use super::{CreditCode, Grade, Inventory};
use crate::units::Fraction;

/// Apply a scenario's enterprise changes and filter. Errors name the scenario key and value.
pub fn apply(
    inv: &mut Inventory,
    changes: &[EnterpriseChange],
    filter: &InventoryFilter,
) -> Result<(), String> {
    for (i, c) in changes.iter().enumerate() {
        change(inv, c).map_err(|m| format!("changes[{}] (code = \"{}\"): {m}", i + 1, c.code))?;
    }
    restrict(inv, filter)
}

fn find(inv: &Inventory, code: &str) -> Result<CreditCode, String> {
    let code = CreditCode::parse(code).map_err(|e| e.to_string())?;
    if inv.enterprises.contains_key(&code) {
        Ok(code)
    } else {
        Err("no enterprise with this credit code in the inventory".into())
    }
}

fn change(inv: &mut Inventory, c: &EnterpriseChange) -> Result<(), String> {
    let code = find(inv, &c.code)?;
    let e = inv.enterprises.get_mut(&code).expect("found above");
    if let Some(g) = &c.grade {
        e.grade = Grade::parse(g)
            .ok_or_else(|| format!("grade = \"{g}\": expected A, 引领性, B, B-, C, D or 未评级"))?;
    }
    match c.exempt {
        Some(true) if e.exempt.is_none() => e.exempt = Some("情景设定 / scenario".into()),
        Some(false) => e.exempt = None,
        _ => {}
    }
    if let Some(f) = c.guarantee_min_load {
        if !(0.0..=1.0).contains(&f) {
            return Err(format!(
                "guarantee_min_load = {f}: a share between 0 and 1 (0 removes the guarantee)"
            ));
        }
        e.guarantee_min_load = (f > 0.0).then_some(Fraction(f));
    }
    Ok(())
}

fn restrict(inv: &mut Inventory, f: &InventoryFilter) -> Result<(), String> {
    for d in &f.districts {
        if !inv.districts.contains_key(d) {
            return Err(format!(
                "filter.districts: \"{d}\" is not a district of the inventory"
            ));
        }
    }
    let mut industries = Vec::new();
    for s in &f.industries {
        let ind = inv
            .industries
            .resolve(s)
            .ok_or_else(|| format!("filter.industries: \"{s}\" is not a known industry"))?;
        industries.push(ind.code.clone());
    }
    let mut excluded = Vec::new();
    for (i, c) in f.exclude.iter().enumerate() {
        excluded
            .push(find(inv, c).map_err(|m| format!("filter.exclude[{}] = \"{c}\": {m}", i + 1))?);
    }
    let keep = |e: &super::Enterprise| {
        (f.districts.is_empty() || f.districts.contains(&e.district))
            && (industries.is_empty() || industries.contains(&e.industry))
            && !excluded.contains(&e.code)
    };
    inv.enterprises.retain(|_, e| keep(e));
    let enterprises = &inv.enterprises;
    inv.lines
        .retain(|l| enterprises.contains_key(&l.enterprise));
    let lines: std::collections::HashSet<&str> = inv.lines.iter().map(|l| l.id.as_str()).collect();
    inv.options.retain(|id, _| lines.contains(id.as_str()));
    Ok(())
}
