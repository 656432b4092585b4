//! The self-contained HTML page: inline CSS, inline SVG charts, sortable tables (a few lines of
//! inline JavaScript); nothing is loaded from the network.

use super::svg::{esc, fmt_num};
use super::{Labels, Section};
use std::fmt::Write;

/// A table cell.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number shown with this many decimals (sorted by value).
    Num(f64, usize),
}

/// Text cell helper.
pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Format a number with thousands separators and fixed decimals.
pub fn fixed(v: f64, decimals: usize) -> String {
    // Round half away from zero, as spreadsheet number formats do, so texts match cells.
    let m = 10f64.powi(decimals as i32);
    let mut s = format!("{:.*}", decimals, (v * m).round() / m + 0.0);
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s.remove(0);
    }
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let grouped = if int.trim_start_matches('-').len() > 3 {
        fmt_num(int.parse::<f64>().unwrap_or(0.0))
    } else {
        int.to_string()
    };
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    }
}

/// An HTML table; `sortable` tables sort by a click on a header.
pub fn table(headers: &[String], rows: &[Vec<Cell>], sortable: bool) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<div class=\"tw\"><table{}><thead><tr>",
        if sortable { " class=\"sortable\"" } else { "" }
    );
    for h in headers {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            match c {
                Cell::Text(s) => {
                    let _ = write!(o, "<td>{}</td>", esc(s));
                }
                Cell::Num(v, d) => {
                    let _ = write!(o, "<td class=\"n\" data-v=\"{v}\">{}</td>", fixed(*v, *d));
                }
            }
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>");
    o
}

const CSS: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;margin:0;color:#1d2733;background:#f4f6f9}
header{background:#1f4e79;color:#fff;padding:18px 32px}header h1{margin:0 0 6px;font-size:22px}header p{margin:2px 0;opacity:.9}
nav{background:#fff;border-bottom:1px solid #d8dee6;padding:8px 32px;position:sticky;top:0}nav a{margin-right:18px;color:#1f4e79;text-decoration:none}
main{padding:8px 32px 40px}section{background:#fff;border:1px solid #d8dee6;border-radius:6px;margin:18px 0;padding:14px 20px}
h2{font-size:18px;margin:4px 0 12px;color:#1f4e79}h3{font-size:15px;margin:16px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #d8dee6;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:18px;margin-top:2px}.ok{color:#1b7f3b}.bad{color:#c00000}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #eef1f5;max-width:100%;height:auto}
svg .ct{font-size:14px;font-weight:bold;fill:#1d2733}svg .ax{font-size:11px;fill:#4a5866}svg .lg{font-size:12px;fill:#1d2733}
svg .grid{stroke:#e6eaef}svg .axis{stroke:#4a5866}
.tw{max-height:560px;overflow:auto;border:1px solid #e6eaef}table{border-collapse:collapse;font-size:13px;width:100%}
th{position:sticky;top:0;background:#ddebf7;cursor:pointer;padding:5px 8px;text-align:left;white-space:nowrap}
td{padding:4px 8px;border-top:1px solid #eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
th[data-dir=asc]::after{content:' ▲'}th[data-dir=desc]::after{content:' ▼'}.note{color:#4a5866;font-size:13px}";

const JS: &str = "document.querySelectorAll('table.sortable').forEach(function(t){t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){var asc=th.dataset.dir!=='asc';t.querySelectorAll('th').forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?'asc':'desc';var b=t.tBodies[0];var rows=Array.prototype.slice.call(b.rows);var key=function(r){var c=r.cells[i];return c.dataset.v!==undefined?parseFloat(c.dataset.v):c.textContent};rows.sort(function(x,y){var a=key(x),c=key(y);var d=(typeof a==='number')?a-c:String(a).localeCompare(String(c),'zh');return asc?d:-d});rows.forEach(function(r){b.appendChild(r)})})})});
document.body.dataset.charts=String(document.querySelectorAll('svg.chart').length);";

/// The whole page.
pub fn page(
    title: &str,
    subtitle: &[String],
    sections: &[Box<dyn Section + '_>],
    t: Labels,
) -> String {
    page_with_footer(title, subtitle, sections, t, &[])
}

/// The whole page, with extra footer lines (the result's provenance).
pub fn page_with_footer(
    title: &str,
    subtitle: &[String],
    sections: &[Box<dyn Section + '_>],
    t: Labels,
    footer: &[String],
) -> String {
    let mut o = String::with_capacity(1 << 20);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head><body><header><h1>{}</h1>",
        t.t("zh-CN", "en"),
        esc(title),
        esc(title)
    );
    for s in subtitle {
        let _ = write!(o, "<p>{}</p>", esc(s));
    }
    o.push_str("</header><nav>");
    for s in sections {
        let _ = write!(o, "<a href=\"#{}\">{}</a>", s.id(), esc(&s.title(t)));
    }
    o.push_str("</nav><main>");
    for s in sections {
        let _ = write!(
            o,
            "<section id=\"{}\"><h2>{}</h2>{}</section>",
            s.id(),
            esc(&s.title(t)),
            s.html(t)
        );
    }
    let extra: String = footer
        .iter()
        .map(|l| format!("<br><span class=\"provenance\">{}</span>", esc(l)))
        .collect();
    let _ = writeln!(
        o,
        "</main><footer class=\"note\" style=\"padding:0 32px 24px\">{}{extra}</footer><script>{JS}</script></body></html>",
        esc(t.t(
            "由 jianpai 生成。表格可点击表头排序；图表悬停显示数值。",
            "Made by jianpai. Click a table header to sort; hover a chart for values."
        ))
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_escaped_tables_sort_by_value() {
        assert_eq!(fixed(1234567.891, 2), "1,234,567.89");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-1234.5, 1), "-1,234.5");
        assert_eq!(fixed(12.5, 0), "13");
        assert_eq!(fixed(3986.5, 0), "3,987");
        let t = table(
            &["a<b".into()],
            &[vec![Cell::Num(1500.0, 1)], vec![text("x&y")]],
            true,
        );
        assert!(t.contains("a&lt;b") && t.contains("x&amp;y"));
        assert!(t.contains("data-v=\"1500\">1,500.0<"));
        assert!(t.contains("class=\"sortable\""));
    }
}
