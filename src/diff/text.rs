//! The diff as text for the planner (Chinese by default, English with `--lang en`).

use super::{AttributeChange, Cause, Diff, LineRef};
use std::fmt::Write as _;

/// Render a diff as text.
pub fn render(d: &Diff, english: bool) -> String {
    let t = |zh: &'static str, en: &'static str| if english { en } else { zh };
    let mut s = String::new();
    let _ = writeln!(s, "{} {} → {}", t("清单对比", "list diff"), d.old, d.new);
    let c = &d.changes;
    for e in &c.enterprises_added {
        let _ = writeln!(
            s,
            "+ {} {} {} ({} {})",
            t("新增企业", "enterprise added"),
            e.credit_code,
            e.name,
            e.district,
            e.grade
        );
    }
    for e in &c.enterprises_removed {
        let _ = writeln!(
            s,
            "- {} {} {} ({} {})",
            t("移出企业", "enterprise removed"),
            e.credit_code,
            e.name,
            e.district,
            e.grade
        );
    }
    let lines = |s: &mut String, sign: &str, label: &str, v: &[LineRef]| {
        for l in v {
            let _ = writeln!(
                s,
                "{sign} {label} {} {} {} — {}",
                l.line_id, l.enterprise, l.line_name, l.reason
            );
        }
    };
    lines(&mut s, "+", t("新增生产线", "line added"), &c.lines_added);
    lines(
        &mut s,
        "-",
        t("移出生产线", "line removed"),
        &c.lines_removed,
    );
    let attrs = |s: &mut String, label: &str, v: &[AttributeChange]| {
        for a in v {
            let _ = writeln!(
                s,
                "~ {label} {} {}: {} → {}",
                a.credit_code,
                a.name,
                if a.old.is_empty() { "—" } else { &a.old },
                if a.new.is_empty() { "—" } else { &a.new }
            );
        }
    };
    attrs(&mut s, t("等级提升", "grade up"), &c.grades_up);
    attrs(&mut s, t("等级下调", "grade down"), &c.grades_down);
    attrs(&mut s, t("列入豁免", "now exempt"), &c.exempt_added);
    attrs(&mut s, t("移出豁免", "no longer exempt"), &c.exempt_removed);
    attrs(
        &mut s,
        t("保障类变化", "guarantee changed"),
        &c.guarantee_changed,
    );
    for m in &c.measures {
        let _ = writeln!(
            s,
            "~ {} {} {} {}: {} → {} [{}, {}] {}",
            t("措施变化", "measure"),
            m.line_id,
            m.enterprise,
            if english { m.level.key() } else { m.level.zh() },
            m.old,
            m.new,
            m.direction,
            match m.cause {
                Cause::Forced => t("强制", "forced"),
                Cause::Chosen => t("优化选择", "chosen"),
            },
            m.reason
        );
    }
    let _ = writeln!(s, "{}:", t("变化统计", "counts"));
    for (k, v) in &d.counts {
        let _ = writeln!(s, "  {k}: {v}");
    }
    let _ = writeln!(
        s,
        "{}",
        t(
            "预警\t污染物\t原减排(t/d)\t新减排(t/d)\t变化",
            "level\tpollutant\told cut t/d\tnew cut t/d\tchange"
        )
    );
    for (level, lt) in &d.totals {
        let name = crate::domain::Level::parse(level)
            .map(|l| if english { l.key() } else { l.zh() })
            .unwrap_or(level);
        for (p, v) in &lt.cut {
            let _ = writeln!(
                s,
                "{name}\t{p}\t{:.3}\t{:.3}\t{:+.3}",
                v.old, v.new, v.change
            );
        }
        let v = lt.loss_per_day;
        let _ = writeln!(
            s,
            "{name}\t{}\t{:.2}\t{:.2}\t{:+.2}",
            t("日损失(万元)", "loss/day (10k yuan)"),
            v.old,
            v.new,
            v.change
        );
    }
    if let Some(v) = d.season_loss {
        let _ = writeln!(
            s,
            "{}: {:.2} → {:.2} ({:+.2})",
            t("预期季度损失(万元)", "expected season loss (10k yuan)"),
            v.old,
            v.new,
            v.change
        );
    }
    s
}
