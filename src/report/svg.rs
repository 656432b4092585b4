//! Hand-written SVG charts for the HTML report: grouped bars, a line chart (cost curves) and a
//! Gantt chart (staggered calendars). Every chart is a self-contained `<svg class="chart">`.

use std::fmt::Write;

/// One data series of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Fill or stroke colour.
    pub colour: String,
    /// One value per category (bars) or per point (lines).
    pub values: Vec<f64>,
}

/// Escape text for XML / HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A round axis step giving about `n` ticks up to `max`.
pub fn nice_step(max: f64, n: usize) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Format an axis or tooltip number compactly.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let s = format!("{:.0}", v);
        group_thousands(&s)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.1}").trim_end_matches(".0").to_string()
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn group_thousands(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map_or(("", s), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\">\
         <text x=\"{x}\" y=\"18\" class=\"ct\" text-anchor=\"middle\">{t}</text>",
        x = w / 2.0,
        t = esc(title)
    )
}

/// Approximate width in pixels of `s` at a font size (CJK characters are square).
pub fn text_px(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.55 } else { 1.0 })
        .sum::<f64>()
        * size
}

fn legend(o: &mut String, series: &[Series], x: f64, y: f64) {
    let mut cx = x;
    for s in series {
        let _ = write!(
            o,
            "<rect x=\"{cx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"lg\">{}</text>",
            y - 10.0,
            s.colour,
            cx + 16.0,
            y,
            esc(&s.name)
        );
        cx += 24.0 + text_px(&s.name, 12.0);
    }
}

/// Y axis with grid lines from 0 to `top`; returns the scale (pixels per unit).
fn y_axis(o: &mut String, left: f64, right: f64, top_px: f64, bottom_px: f64, max: f64) -> f64 {
    let step = nice_step(max, 5);
    let top = (max / step).ceil().max(1.0) * step;
    let scale = (bottom_px - top_px) / top;
    let mut v = 0.0;
    while v <= top + step * 1e-9 {
        let y = bottom_px - v * scale;
        let _ = write!(
            o,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
             <text x=\"{}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\">{}</text>",
            left - 4.0,
            y + 4.0,
            fmt_num(v)
        );
        v += step;
    }
    scale
}

/// Vertical grouped bars: one group per category, one bar per series.
pub fn grouped_bars(title: &str, unit: &str, categories: &[String], series: &[Series]) -> String {
    let n = categories.len().max(1) as f64;
    let k = series.len().max(1) as f64;
    let group_w = (k * 14.0 + 12.0).max(36.0);
    let (left, top_px) = (64.0, 48.0);
    let legend_w: f64 = series.iter().map(|s| 24.0 + text_px(&s.name, 12.0)).sum();
    let w = (left + 16.0 + n * group_w).max(280.0).max(24.0 + legend_w);
    let plot_bottom = 250.0;
    let group_w = (w - left - 16.0) / n;
    let bar_w = ((group_w - 10.0) / k).min(28.0);
    let longest = categories
        .iter()
        .map(|c| text_px(c, 11.0))
        .fold(0.0, f64::max);
    let long = longest > group_w - 4.0;
    let h = plot_bottom + if long { 24.0 + longest * 0.66 } else { 30.0 };
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let mut o = open(w, h, title);
    legend(&mut o, series, 24.0, 38.0);
    let scale = y_axis(&mut o, left, w - 8.0, top_px + 8.0, plot_bottom, max);
    let _ = write!(
        o,
        "<text x=\"12\" y=\"{:.1}\" class=\"ax\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">{}</text>",
        (plot_bottom + top_px) / 2.0,
        (plot_bottom + top_px) / 2.0,
        esc(unit)
    );
    for (ci, cat) in categories.iter().enumerate() {
        let gx = left + ci as f64 * group_w + (group_w - bar_w * k) / 2.0;
        for (si, s) in series.iter().enumerate() {
            let v = s.values.get(ci).copied().unwrap_or(0.0).max(0.0);
            let bh = v * scale;
            let _ = write!(
                o,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} · {}: {}</title></rect>",
                gx + si as f64 * bar_w,
                plot_bottom - bh,
                (bar_w - 1.0).max(1.0),
                bh,
                s.colour,
                esc(cat),
                esc(&s.name),
                fmt_num(v)
            );
        }
        let cx = left + (ci as f64 + 0.5) * group_w;
        if long {
            let _ = write!(
                o,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\" transform=\"rotate(-40 {cx:.1} {:.1})\">{}</text>",
                plot_bottom + 14.0,
                plot_bottom + 14.0,
                esc(cat)
            );
        } else {
            let _ = write!(
                o,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"middle\">{}</text>",
                plot_bottom + 18.0,
                esc(cat)
            );
        }
    }
    let _ = write!(
        o,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{plot_bottom}\" y2=\"{plot_bottom}\" class=\"axis\"/></svg>",
        w - 8.0
    );
    o
}

/// A line chart: `x` shared by every series (e.g. a cost curve: cut against loss).
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: &[f64],
    series: &[Series],
) -> String {
    chart(title, x_label, y_label, x, series, None)
}

/// A line chart over days: `x` are day positions, the axis shows the labelled `ticks` (e.g.
/// `MM-DD` dates) and each point's tooltip its name in `names` (one per `x`).
pub fn date_line_chart(
    title: &str,
    (x_label, ticks, names): (&str, &[(f64, String)], &[String]),
    y_label: &str,
    x: &[f64],
    series: &[Series],
) -> String {
    chart(title, x_label, y_label, x, series, Some((ticks, names)))
}

/// Labelled x ticks `(position, text)` and one name per point (a date chart's x axis).
type DateAxis<'a> = (&'a [(f64, String)], &'a [String]);

/// The line chart: numeric x ticks, or the given labelled ticks and point names.
fn chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    x: &[f64],
    series: &[Series],
    dates: Option<DateAxis>,
) -> String {
    let (w, h, left, top_px, bottom) = (560.0, 320.0, 70.0, 56.0, 270.0);
    let right = w - 16.0;
    let xmax = x.iter().copied().fold(0.0, f64::max);
    let xmin = x.iter().copied().fold(xmax, f64::min).min(0.0);
    let ymax = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let mut o = open(w, h, title);
    legend(&mut o, series, left, 38.0);
    let yscale = y_axis(&mut o, left, right, top_px, bottom, ymax);
    let xstep = nice_step(xmax - xmin, 6);
    let xtop = match dates {
        Some(_) => xmax.max(xmin + 1.0),
        None => ((xmax - xmin) / xstep).ceil().max(1.0) * xstep + xmin,
    };
    let xs = |v: f64| left + (v - xmin) / (xtop - xmin) * (right - left);
    let tick = |o: &mut String, v: f64, text: &str| {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{}\" class=\"ax\" text-anchor=\"middle\">{}</text>",
            xs(v),
            bottom + 16.0,
            esc(text)
        );
    };
    match dates {
        Some((ticks, _)) => {
            for (v, text) in ticks {
                tick(&mut o, *v, text);
            }
        }
        None => {
            let mut v = xmin;
            while v <= xtop + xstep * 1e-9 {
                tick(&mut o, v, &fmt_num(v));
                v += xstep;
            }
        }
    }
    let point_name = |i: usize, a: f64| match dates {
        Some((_, names)) => names.get(i).cloned().unwrap_or_else(|| fmt_num(a)),
        None => fmt_num(a),
    };
    for s in series {
        let pts: Vec<String> = x
            .iter()
            .zip(&s.values)
            .map(|(&a, &b)| format!("{:.1},{:.1}", xs(a), bottom - b * yscale))
            .collect();
        let _ = write!(
            o,
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
            s.colour,
            pts.join(" ")
        );
        for (i, (&a, &b)) in x.iter().zip(&s.values).enumerate() {
            let _ = write!(
                o,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{}: {}, {}</title></circle>",
                xs(a),
                bottom - b * yscale,
                s.colour,
                esc(&s.name),
                esc(&point_name(i, a)),
                fmt_num(b)
            );
        }
    }
    let _ = write!(
        o,
        "<line x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\" class=\"axis\"/>\
         <text x=\"{:.1}\" y=\"{}\" class=\"ax\" text-anchor=\"middle\">{}</text>\
         <text x=\"14\" y=\"{:.1}\" class=\"ax\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text></svg>",
        (left + right) / 2.0,
        h - 12.0,
        esc(x_label),
        (top_px + bottom) / 2.0,
        (top_px + bottom) / 2.0,
        esc(y_label)
    );
    o
}

/// One row of a Gantt chart: a label and its blocks `(start, end, colour, tooltip)` in axis units.
#[derive(Debug, Clone)]
pub struct GanttRow {
    /// Row label (e.g. a kiln line).
    pub label: String,
    /// Blocks: start (inclusive), end (exclusive), colour, tooltip.
    pub blocks: Vec<(f64, f64, String, String)>,
}

/// A Gantt chart over `[0, span)` with labelled ticks `(position, text)` (e.g. month starts).
pub fn gantt(title: &str, span: f64, ticks: &[(f64, String)], rows: &[GanttRow]) -> String {
    let label_w = 12.0
        + rows
            .iter()
            .map(|r| text_px(&r.label, 11.0))
            .fold(30.0, f64::max)
            .min(260.0);
    let (w, top, row_h) = (900.0, 44.0, 18.0);
    let h = top + row_h * rows.len() as f64 + 24.0;
    let left = label_w;
    let right = w - 12.0;
    let xs = |v: f64| left + v / span.max(1.0) * (right - left);
    let mut o = open(w, h, title);
    for (pos, text) in ticks {
        let _ = write!(
            o,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{top}\" y2=\"{:.1}\" class=\"grid\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" class=\"ax\">{}</text>",
            h - 20.0,
            top - 4.0,
            esc(text),
            x = xs(*pos)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"ax\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y + row_h - 5.0,
            esc(&r.label)
        );
        for (a, b, colour, tip) in &r.blocks {
            let _ = write!(
                o,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}</title></rect>",
                xs(*a),
                y + 2.0,
                (xs(*b) - xs(*a)).max(1.0),
                row_h - 4.0,
                esc(tip)
            );
        }
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, v: &[f64]) -> Series {
        Series {
            name: name.into(),
            colour: "#123456".into(),
            values: v.to_vec(),
        }
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(7.0, 5), 2.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(fmt_num(1234567.0), "1,234,567");
        assert_eq!(fmt_num(-1234.4), "-1,234");
        assert_eq!(fmt_num(12.0), "12");
    }

    #[test]
    fn bars_have_one_rect_per_value_and_escape_labels() {
        let svg = grouped_bars(
            "t<",
            "t/d",
            &["a&b".into(), "c".into()],
            &[s("x", &[1.0, 2.0]), s("y", &[3.0, 0.0])],
        );
        assert!(svg.starts_with("<svg class=\"chart\""));
        assert!(svg.ends_with("</svg>"));
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 2,
            "4 bars + 2 legend keys"
        );
        assert!(svg.contains("a&amp;b") && svg.contains("t&lt;"));
        // The tallest bar reaches the top of the axis (3 on a 0..3.5 axis is below the top).
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn line_and_gantt_render() {
        let l = line_chart(
            "c",
            "x",
            "y",
            &[0.0, 1.0, 2.0],
            &[s("loss", &[0.0, 5.0, 9.0])],
        );
        assert_eq!(l.matches("<circle").count(), 3);
        assert!(l.contains("<polyline"));
        let g = gantt(
            "g",
            365.0,
            &[(0.0, "1月".into()), (31.0, "2月".into())],
            &[GanttRow {
                label: "1#窑".into(),
                blocks: vec![(10.0, 40.0, "#f00".into(), "停窑 30 天".into())],
            }],
        );
        assert_eq!(g.matches("<rect").count(), 1);
        assert!(g.contains("停窑 30 天"));
    }
}
