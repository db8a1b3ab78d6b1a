//! Reports as data: a [`Report`] is a sequence of [`Section`]s holding prose, tables, figures,
//! [`Finding`]s (a claim of the paper next to this run's numbers and whether it holds) and
//! sanity checks (the same shape, about the run itself rather than the paper: counts conserved,
//! shares summing to one), which are listed apart and never counted as findings.
//! Rendering to a self-contained `report.html` (no network resources; SVG figures inlined)
//! lives in this module too.

use crate::table::Table;

/// A paper's claim checked against this run.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The claim, in the paper's words where possible.
    pub claim: String,
    /// Whether this run supports it.
    pub holds: bool,
    /// This run's numbers behind the verdict.
    pub evidence: String,
}

/// One section of a report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Paragraphs of plain text.
    pub paragraphs: Vec<String>,
    /// Tables with captions.
    pub tables: Vec<(String, Table)>,
    /// Figures as `(caption, stem)` pairs (the same order as `tables`), where `stem` names the
    /// files written with `RunDir::write_figure` (`STEM.svg` is inlined in the report).
    pub figures: Vec<(String, String)>,
    /// Findings checked: the papers' claims.
    pub findings: Vec<Finding>,
    /// Sanity checks of the run itself (not claims of a paper), listed under "Checks".
    pub checks: Vec<Finding>,
}

/// A whole report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Title.
    pub title: String,
    /// Sections in order.
    pub sections: Vec<Section>,
}

// ---------------------------------------------------------------------------------------------
// Rendering to a self-contained HTML page.
// ---------------------------------------------------------------------------------------------

use crate::manifest::Manifest;
use crate::table::Column;
use crate::IoError;
use std::fmt::Write as _;
use std::path::Path;

/// Tables longer than this show their first rows only, with a note saying so (the full table is
/// in the run's CSV/Parquet files).
pub const MAX_TABLE_ROWS: usize = 500;

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;max-width:1040px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;font-size:.95em}
dl.facts dt{font-weight:600;color:#555}dl.facts dd{margin:0;font-family:ui-monospace,monospace}
details{margin:.6em 0}summary{cursor:pointer;color:#1f5fa0}
pre{background:#f6f6f6;padding:.8em;overflow:auto;font-size:.85em;border-radius:4px}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
.table-wrap{overflow-x:auto;max-height:36em;overflow-y:auto;margin:.6em 0}
.table-wrap thead th{position:sticky;top:0}
figcaption{font-size:.92em;color:#444;margin-top:.3em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
caption{text-align:left;font-weight:600;padding-bottom:.3em}
th,td{border:1px solid #ddd;padding:.25em .6em}th{background:#f2f2f2}td.num{text-align:right;
font-variant-numeric:tabular-nums}
ul.findings{list-style:none;padding-left:0}ul.findings li{margin:.5em 0;padding:.4em .6em;border-radius:4px}
li.holds{background:#eef8ee}li.fails{background:#fbeeee}
.mark{font-weight:700;margin-right:.4em}li.holds .mark{color:#1a7f1a}li.fails .mark{color:#b02020}
.evidence{display:block;font-size:.9em;color:#444;margin-top:.2em}
.note{font-size:.85em;color:#666}nav ul{padding-left:1.2em}
";

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table cell's number with a few decimals: four in [0.001, 10^6), else scientific.
pub fn format_cell(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if x.fract() == 0.0 && a < 1e15 {
        // Whole numbers (counts, steps stored as floats) without decimals.
        format!("{x:.0}")
    } else if (1e-3..1e6).contains(&a) {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` for seconds since the Unix epoch.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Report {
    /// The report as a self-contained HTML page, with the manifest read from
    /// `root/manifest.json` when that file exists (see [`Report::to_html_with_manifest`]).
    pub fn to_html(&self, root: &Path) -> Result<String, IoError> {
        let path = root.join("manifest.json");
        let manifest: Option<Manifest> = match std::fs::read(&path) {
            Ok(bytes) => Some(
                serde_json::from_slice(&bytes).map_err(|source| IoError::Json { path, source })?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(IoError::os(path, e)),
        };
        self.to_html_with_manifest(root, manifest.as_ref())
    }

    /// The report as a self-contained HTML page: a header with the manifest's facts (command,
    /// seed, generator, version, commit, start time, timings, outputs, and the resolved config
    /// in a collapsible block), a summary of the findings, then each section with its
    /// paragraphs, findings (✓ holds / ✗ does not hold, with the evidence), tables (numbers with
    /// four decimals) and figures. Figures are the `STEM.svg` files in `root`, inlined; a
    /// missing file is an error naming the stem. All text is HTML-escaped; the page loads
    /// nothing from the network.
    pub fn to_html_with_manifest(
        &self,
        root: &Path,
        manifest: Option<&Manifest>,
    ) -> Result<String, IoError> {
        let mut h = String::new();
        let title = if self.title.trim().is_empty() {
            "marketloop report"
        } else {
            self.title.as_str()
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
            escape_html(title),
            escape_html(title)
        );
        if let Some(m) = manifest {
            write_manifest(&mut h, m);
        }
        let all: Vec<&Finding> = self.sections.iter().flat_map(|s| &s.findings).collect();
        let checks: Vec<&Finding> = self.sections.iter().flat_map(|s| &s.checks).collect();
        let mut summary = Vec::new();
        if !all.is_empty() {
            let holds = all.iter().filter(|f| f.holds).count();
            summary.push(format!(
                "<strong>Findings: {holds} of {} hold.</strong>",
                all.len()
            ));
        }
        if !checks.is_empty() {
            let pass = checks.iter().filter(|f| f.holds).count();
            summary.push(format!("Checks: {pass} of {} pass.", checks.len()));
        }
        if !summary.is_empty() {
            let _ = writeln!(h, "<p class=\"summary\">{}</p>", summary.join(" "));
        }
        if self.sections.len() > 2 {
            h.push_str("<nav>\n<ul>\n");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(
                    h,
                    "<li><a href=\"#section-{}\">{}</a></li>",
                    i + 1,
                    escape_html(&s.heading)
                );
            }
            h.push_str("</ul>\n</nav>\n");
        }
        h.push_str("</header>\n<main>\n");
        for (i, s) in self.sections.iter().enumerate() {
            write_section(&mut h, i + 1, s, root)?;
        }
        h.push_str("</main>\n</body>\n</html>\n");
        Ok(h)
    }
}

fn write_manifest(h: &mut String, m: &Manifest) {
    h.push_str("<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: &str| {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", escape_html(k), escape_html(v));
    };
    fact("command", &format!("{} {}", m.tool, m.command));
    fact("seed", &m.seed.to_string());
    fact("generator", &m.generator);
    fact("version", &m.version);
    fact("commit", m.git_commit.as_deref().unwrap_or("unknown"));
    fact("started", &utc(m.started_unix));
    if m.resumed_replicates > 0 {
        fact(
            "resumed",
            &format!(
                "{} replicates reused from an interrupted run",
                m.resumed_replicates
            ),
        );
    }
    if !m.timings.is_empty() {
        let t: Vec<String> = m
            .timings
            .iter()
            .map(|(k, v)| format!("{k} {v:.3} s"))
            .collect();
        fact("timings", &t.join(", "));
    }
    h.push_str("</dl>\n");
    let config = serde_json::to_string_pretty(&m.config).unwrap_or_else(|e| format!("{e}"));
    let _ = writeln!(
        h,
        "<details>\n<summary>Resolved configuration</summary>\n<pre>{}</pre>\n</details>",
        escape_html(&config)
    );
    let outputs: Vec<&String> = m.outputs.iter().collect();
    if !outputs.is_empty() {
        let _ = writeln!(
            h,
            "<details>\n<summary>Files of this run ({})</summary>\n<ul>",
            outputs.len()
        );
        for o in outputs {
            let e = escape_html(o);
            let _ = writeln!(h, "<li><a href=\"{e}\">{e}</a></li>");
        }
        h.push_str("</ul>\n</details>\n");
    }
}

fn write_section(h: &mut String, number: usize, s: &Section, root: &Path) -> Result<(), IoError> {
    let _ = writeln!(
        h,
        "<section id=\"section-{number}\">\n<h2>{}</h2>",
        escape_html(&s.heading)
    );
    for p in &s.paragraphs {
        let _ = writeln!(h, "<p>{}</p>", escape_html(p));
    }
    write_findings(h, &s.findings, None, ("holds", "does not hold"));
    write_findings(h, &s.checks, Some("Checks"), ("passes", "fails"));
    for (caption, table) in &s.tables {
        write_table(h, caption, table)?;
    }
    write_figures(h, s, root)?;
    h.push_str("</section>\n");
    Ok(())
}

/// A list of findings (or, under a `heading`, of checks) with ✓ / ✗ and the evidence.
fn write_findings(h: &mut String, list: &[Finding], heading: Option<&str>, words: (&str, &str)) {
    if !list.is_empty() {
        if let Some(heading) = heading {
            let _ = writeln!(h, "<h3>{}</h3>", escape_html(heading));
        }
        h.push_str("<ul class=\"findings\">\n");
        for f in list {
            let (class, mark, word) = if f.holds {
                ("holds", "✓", words.0)
            } else {
                ("fails", "✗", words.1)
            };
            let _ = writeln!(
                h,
                "<li class=\"{class}\"><span class=\"mark\" title=\"{word}\">{mark}</span>{}\
                 <span class=\"evidence\">{}</span></li>",
                escape_html(&f.claim),
                escape_html(&f.evidence)
            );
        }
        h.push_str("</ul>\n");
    }
}

/// The section's figures: each `STEM.svg` inlined, with its caption and links to the files.
fn write_figures(h: &mut String, s: &Section, root: &Path) -> Result<(), IoError> {
    for (caption, stem) in &s.figures {
        let path = root.join(format!("{stem}.svg"));
        let svg = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                let swapped = root.join(format!("{caption}.svg")).is_file();
                IoError::Invalid {
                    path: path.clone(),
                    message: format!(
                        "figure {stem:?} of section {:?} has no SVG file; write it with \
                         RunDir::write_figure before the report{}",
                        s.heading,
                        if swapped {
                            format!(
                                " (the pair looks swapped: Section::figures holds (caption, \
                                 stem), and {caption:?} is a figure file)"
                            )
                        } else {
                            String::new()
                        }
                    ),
                }
            } else {
                IoError::os(&path, e)
            }
        })?;
        let start = svg.find("<svg").ok_or_else(|| IoError::Invalid {
            path: path.clone(),
            message: format!("figure {stem:?} is not an SVG document (no <svg> element)"),
        })?;
        let body = svg[start..].trim_end();
        if body.to_ascii_lowercase().contains("<script") {
            return Err(IoError::Invalid {
                path,
                message: format!(
                    "figure {stem:?} contains a <script> element; refusing to inline it"
                ),
            });
        }
        let e = escape_html(stem);
        let _ = writeln!(
            h,
            "<figure id=\"figure-{e}\">\n{body}\n<figcaption>{} <span class=\"note\">\
             (<a href=\"{e}.svg\">SVG</a>, <a href=\"{e}.png\">PNG</a>, \
             <a href=\"{e}.pdf\">PDF</a>)</span></figcaption>\n</figure>",
            escape_html(caption)
        );
    }
    Ok(())
}

fn write_table(h: &mut String, caption: &str, t: &crate::table::Table) -> Result<(), IoError> {
    t.check_finite()
        .map_err(|e| IoError::Table(format!("report table {caption:?}: {e}")))?;
    let n = t.n_rows();
    let shown = n.min(MAX_TABLE_ROWS);
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\">\n<table>\n<caption>{}</caption>",
        escape_html(caption)
    );
    h.push_str("<thead><tr>");
    for name in t.names() {
        let _ = write!(h, "<th>{}</th>", escape_html(name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in 0..shown {
        h.push_str("<tr>");
        for col in t.columns() {
            match col {
                Column::F64(v) => {
                    let _ = write!(h, "<td class=\"num\">{}</td>", format_cell(v[row]));
                }
                Column::I64(v) => {
                    let _ = write!(h, "<td class=\"num\">{}</td>", v[row]);
                }
                Column::Str(v) => {
                    let _ = write!(h, "<td>{}</td>", escape_html(&v[row]));
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</div>\n");
    if shown < n {
        let _ = writeln!(
            h,
            "<p class=\"note\">Showing the first {shown} of {n} rows; the full table is in the \
             run's CSV and Parquet files.</p>"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::{Figure, Series, SeriesStyle};
    use crate::run::RunDir;
    use crate::table::Table;
    use std::path::PathBuf;

    fn tmp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("ml-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    const EVIL: &str = "<script>alert('x')</script> & \"q\"";

    fn sample_figure() -> Figure {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|t| 1.0 - (-t / 6.0).exp()).collect();
        Figure::new("Efficiency", "step", "efficiency").with(
            Series::line("median", x.clone(), y.clone())
                .with_band(
                    y.iter().map(|v| v - 0.05).collect(),
                    y.iter().map(|v| v + 0.05).collect(),
                )
                .styled(SeriesStyle::LinePoints),
        )
    }

    fn sample_report(evil: &str) -> Report {
        let table = Table::new()
            .with(
                "policy",
                Column::Str(vec!["popularity".into(), evil.into()]),
            )
            .unwrap()
            .with("efficiency", Column::F64(vec![0.912_345_678, 1.5e-7]))
            .unwrap()
            .with("runs", Column::I64(vec![100, 100]))
            .unwrap();
        Report {
            title: format!("Trial-offer market {evil}"),
            sections: vec![
                Section {
                    heading: format!("Convergence {evil}"),
                    paragraphs: vec![format!("The market converges. {evil}")],
                    tables: vec![(format!("Final efficiency {evil}"), table)],
                    figures: vec![(format!("Efficiency over time {evil}"), "efficiency".into())],
                    findings: vec![
                        Finding {
                            claim: format!("The stochastic market converges to the TOME {evil}"),
                            holds: true,
                            evidence: format!("max |phi - phi*| = 0.003 < 0.01 {evil}"),
                        },
                        Finding {
                            claim: "Entropy increases".into(),
                            holds: false,
                            evidence: "entropy fell from 2.1 to 1.9".into(),
                        },
                    ],
                    checks: vec![Finding {
                        claim: "Shares sum to 1".into(),
                        holds: true,
                        evidence: "sum = 1".into(),
                    }],
                },
                Section {
                    heading: "Second".into(),
                    ..Section::default()
                },
                Section {
                    heading: "Third".into(),
                    ..Section::default()
                },
            ],
        }
    }

    /// Checks that every opened element is closed in order (void and self-closing elements
    /// aside) and returns the element names seen.
    fn check_balanced(html: &str) -> Vec<String> {
        const VOID: [&str; 10] = [
            "meta", "br", "hr", "img", "input", "link", "area", "base", "col", "wbr",
        ];
        let mut stack: Vec<String> = Vec::new();
        let mut seen = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            let end = rest.find('>').expect("unterminated tag");
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(open, name.trim(), "</{name}> closes <{open}>");
                continue;
            }
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(!name.is_empty(), "bad tag <{tag}>");
            seen.push(name.clone());
            if !(tag.ends_with('/') || VOID.contains(&name.as_str())) {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        seen
    }

    /// Every src/href attribute value: none may point at the network.
    fn links(html: &str) -> Vec<String> {
        let mut out = Vec::new();
        for attr in ["src=\"", "href=\"", "src='", "href='"] {
            for (i, _) in html.match_indices(attr) {
                let v = &html[i + attr.len()..];
                let q = attr.chars().last().unwrap();
                out.push(v[..v.find(q).unwrap()].to_string());
            }
        }
        out
    }

    #[test]
    fn run_dir_writes_tables_figures_and_a_self_contained_escaped_report() {
        let dir = tmp("full");
        let config = serde_json::json!({"market": {"name": EVIL, "r": 0.5}});
        let mut run =
            RunDir::open(&dir, Manifest::new("market simulate", 42, config), false).unwrap();
        run.manifest_mut().timings.insert("simulate".into(), 1.25);
        let t = Table::new()
            .with("step", Column::I64(vec![0, 1]))
            .unwrap()
            .with("efficiency", Column::F64(vec![0.25, 0.5]))
            .unwrap();
        run.write_table("trajectory", &t).unwrap();
        run.write_figure("efficiency", &sample_figure()).unwrap();
        run.write_report(&sample_report(EVIL)).unwrap();
        let m = run.finish().unwrap();
        for f in [
            "trajectory.csv",
            "trajectory.parquet",
            "efficiency.svg",
            "efficiency.png",
            "report.html",
        ] {
            assert!(
                m.outputs.iter().any(|o| o == f),
                "{f} not in {:?}",
                m.outputs
            );
            assert!(dir.join(f).metadata().unwrap().len() > 0, "{f}");
        }
        let pq = std::fs::read(dir.join("trajectory.parquet")).unwrap();
        assert_eq!(&pq[..4], b"PAR1");
        let png = std::fs::read(dir.join("efficiency.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

        let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
        let tags = check_balanced(&html);
        assert!(tags.iter().any(|t| t == "svg"), "figure not inlined");
        assert!(!tags
            .iter()
            .any(|t| t == "script" || t == "link" || t == "iframe"));
        for l in links(&html) {
            assert!(
                !l.contains("http") && !l.starts_with("//"),
                "network link {l:?}"
            );
        }
        assert!(!html.contains("url("), "CSS must not load anything");
        assert!(!html.contains("<script>alert"));
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;";
        // Title, heading, paragraph, table caption and cell, figure caption, claim, evidence,
        // and the config in the header.
        assert!(
            html.matches(escaped).count() >= 9,
            "{}",
            html.matches(escaped).count()
        );
        assert!(html.contains("<dt>seed</dt><dd>42</dd>"));
        assert!(html.contains(&escape_html(marketloop_core::rng::GENERATOR)));
        assert!(html.contains("<details>") && html.contains("Resolved configuration"));
        assert!(html.contains("simulate 1.250 s"));
        assert!(html.contains("Findings: 1 of 2 hold.</strong> Checks: 1 of 1 pass."));
        assert!(html.contains("<h3>Checks</h3>") && html.contains("class=\"table-wrap\""));
        assert!(html.contains("✓") && html.contains("✗"));
        assert!(html.contains("<td class=\"num\">0.9123</td>"));
        assert!(html.contains("<td class=\"num\">1.500e-7</td>"));
        assert!(html.contains("href=\"#section-3\""));
        // Reading the manifest back from the folder gives the same header.
        let again = sample_report(EVIL).to_html(&dir).unwrap();
        assert!(again.contains("<dt>seed</dt><dd>42</dd>"));
        if let Ok(out) = std::env::var("MARKETLOOP_GALLERY") {
            for f in ["report.html", "efficiency.svg", "efficiency.png"] {
                std::fs::copy(dir.join(f), std::path::Path::new(&out).join(f)).unwrap();
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_figures_and_bad_tables_are_errors() {
        let dir = tmp("missing");
        std::fs::create_dir_all(&dir).unwrap();
        let e = sample_report("x").to_html(&dir).unwrap_err().to_string();
        assert!(
            e.contains("figure \"efficiency\"") && e.contains("write_figure"),
            "{e}"
        );
        assert!(!e.contains("swapped"), "{e}");
        let mut swapped = sample_report("x");
        swapped.sections[0].figures[0] = ("efficiency".into(), "Efficiency over time".into());
        let svg = sample_figure().to_svg().unwrap();
        crate::atomic::write_atomic(&dir.join("efficiency.svg"), svg.as_bytes()).unwrap();
        let e = swapped.to_html(&dir).unwrap_err().to_string();
        assert!(e.contains("looks swapped"), "{e}");
        crate::atomic::write_atomic(
            &dir.join("efficiency.svg"),
            sample_figure().to_svg().unwrap().as_bytes(),
        )
        .unwrap();
        let html = sample_report("x").to_html(&dir).unwrap();
        assert!(!html.contains("<dt>seed</dt>"), "no manifest in the folder");
        check_balanced(&html);
        let mut r = sample_report("x");
        r.sections[0].tables[0] = (
            "bad".into(),
            Table::new().with("v", Column::F64(vec![f64::NAN])).unwrap(),
        );
        let e = r.to_html(&dir).unwrap_err().to_string();
        assert!(
            e.contains("report table \"bad\"") && e.contains("row 0"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn long_tables_say_they_are_cut() {
        let n = MAX_TABLE_ROWS + 5;
        let r = Report {
            title: "t".into(),
            sections: vec![Section {
                heading: "h".into(),
                tables: vec![(
                    "long".into(),
                    Table::new()
                        .with("i", Column::I64((0..n as i64).collect()))
                        .unwrap(),
                )],
                ..Section::default()
            }],
        };
        let html = r.to_html_with_manifest(Path::new("."), None).unwrap();
        assert_eq!(html.matches("<tr>").count(), MAX_TABLE_ROWS + 1);
        assert!(html.contains(&format!("first {MAX_TABLE_ROWS} of {n} rows")));
    }

    #[test]
    fn helpers() {
        assert_eq!(
            escape_html("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400 + 3_661), "2000-02-29 01:01:01 UTC");
        assert_eq!(format_cell(0.0), "0");
        assert_eq!(format_cell(-2.0), "-2");
        assert_eq!(format_cell(2.5e6), "2500000");
        assert_eq!(format_cell(2.5e6 + 0.5), "2.500e6");
        assert_eq!(format_cell(0.632_500_000_000_000_1), "0.6325");
    }
}
