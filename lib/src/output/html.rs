//! Html pages: one self-contained file (inline CSS and SVG, no script, no
//! link, font or image to fetch), readable offline and printable. Every text
//! goes through [`escape`].

use std::borrow::Cow;
use std::io::{self, Write};

use super::chart::Chart;
use super::{Cell, Heading, Section, Table, escape};

/// Screen and print: tables ruled, numbers right-aligned in tabular figures,
/// no chart or table split across printed pages.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#111}\
h1{margin-bottom:.2rem}\
.meta{color:#444;margin-top:0}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}\
th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:left;vertical-align:top}\
th{background:#eee}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
td.date{white-space:nowrap}\
figure{margin:1rem 0}\
svg{max-width:100%;height:auto}\
.figures{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0;padding:0;list-style:none}\
.figures li{border:1px solid #bbb;padding:.5rem .8rem;min-width:12rem}\
.figures b{display:block;font-size:1.4rem;font-variant-numeric:tabular-nums}\
.figures small{display:block;color:#444}\
@media print{body{margin:0;max-width:none}figure,table,.figures li{break-inside:avoid}th{background:none}}";

/// A whole page: the heading, the charts, then every section under its title.
pub fn write_page(
    out: &mut dyn Write,
    heading: Option<&Heading>,
    charts: &[Chart],
    sections: &[Section],
) -> io::Result<()> {
    write_document(out, heading, &mut |out| {
        let (headlines, tables): (Vec<&Section>, Vec<&Section>) =
            sections.iter().partition(|s| s.headline);
        for section in headlines {
            write_cards(out, section)?;
        }
        for chart in charts {
            writeln!(out, "<figure>{}</figure>", chart.svg())?;
        }
        for section in tables {
            writeln!(out, "<section id=\"{}\">", escape(section.name))?;
            writeln!(out, "<h2>{}</h2>", escape(&section.title))?;
            write_table(out, &section.table)?;
            writeln!(out, "</section>")?;
        }
        Ok(())
    })
}

/// Headline figures as cards: the label, the value in bold, then each other
/// non-empty cell under its column's name.
fn write_cards(out: &mut dyn Write, section: &Section) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"{}\" aria-label=\"{}\"><ul class=\"figures\">",
        escape(section.name),
        escape(&section.title)
    )?;
    for row in &section.table.rows {
        let text = |cell: &Cell| escape(&cell.display(false)).into_owned();
        let mut cells = row.iter();
        let label = cells.next().map(text).unwrap_or_default();
        let value = cells.next().map(text).unwrap_or_default();
        write!(out, "<li>{label}<b>{value}</b>")?;
        for (column, cell) in section.table.columns.iter().skip(2).zip(cells) {
            if *cell != Cell::Empty {
                write!(out, "<small>{}: {}</small> ", escape(column), text(cell))?;
            }
        }
        writeln!(out, "</li>")?;
    }
    writeln!(out, "</ul></section>")
}

/// A page holding one table (records listed with `--format html`).
pub fn write_table_page(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    write_document(out, None, &mut |out| write_table(out, table))
}

/// The html around `body`: the head with the style, and the heading.
pub fn write_document(
    out: &mut dyn Write,
    heading: Option<&Heading>,
    body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let title = heading.map_or(Cow::Borrowed("relate"), |h| {
        Cow::Owned(format!("{} · {}", h.title, h.as_of))
    });
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(
        out,
        "<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{}</title>", escape(&title))?;
    writeln!(out, "<style>{STYLE}</style></head>")?;
    writeln!(out, "<body>")?;
    if let Some(heading) = heading {
        writeln!(out, "<header><h1>{}</h1>", escape(&heading.title))?;
        writeln!(
            out,
            "<p class=\"meta\">{}</p></header>",
            escape(&heading.line())
        )?;
    }
    writeln!(out, "<main>")?;
    body(out)?;
    writeln!(out, "</main>")?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")
}

/// A table, numbers right-aligned as on a terminal.
pub fn write_table(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    writeln!(out, "<table>")?;
    write!(out, "<thead><tr>")?;
    for column in &table.columns {
        write!(out, "<th scope=\"col\">{}</th>", escape(column))?;
    }
    writeln!(out, "</tr></thead>")?;
    writeln!(out, "<tbody>")?;
    for row in &table.rows {
        write!(out, "<tr>")?;
        for cell in row {
            let class = match cell {
                _ if cell.is_numeric() => " class=\"num\"",
                Cell::Date(_) | Cell::DateTime(_) => " class=\"date\"",
                _ => "",
            };
            write!(out, "<td{class}>{}</td>", escape(&cell.display(false)))?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>")?;
    writeln!(out, "</table>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    #[test]
    fn escaping_leaves_no_markup_and_keeps_the_text() {
        assert_eq!(
            escape("<script>alert(1)</script><img src=x>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;"
        );
        assert_eq!(
            escape("Tom & \"Jerry's\" <b>"),
            "Tom &amp; &quot;Jerry&#39;s&quot; &lt;b&gt;"
        );
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("bell\x07"), "bell\\u{7}");
    }

    fn page() -> String {
        let mut table = Table::new(&["name<", "amount"]);
        table.push(vec![
            Cell::text("<script>alert(1)</script><img src=x>"),
            Cell::Money(Decimal::new(1234560, 2)),
        ]);
        let heading = Heading {
            title: "Funnel".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            filter: Some("where name = \"<b>\"".into()),
            currency: None,
        };
        let mut out = Vec::new();
        let sections = [Section::new("stages", "Stages", table)];
        write_page(&mut out, Some(&heading), &[], &sections).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_page_is_titled_escaped_and_fetches_nothing() {
        let page = page();
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(page.contains("<title>Funnel · 2026-11-20</title>"));
        assert!(page.contains("<h1>Funnel</h1>"));
        assert!(page.contains(
            "<p class=\"meta\">As of 2026-11-20 · where name = &quot;&lt;b&gt;&quot;</p>"
        ));
        assert!(page.contains("<th scope=\"col\">name&lt;</th>"));
        assert!(page.contains(
            "<td>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x&gt;</td><td class=\"num\">12,345.60</td>"
        ));
        for fetch in ["<script", "src=\"", "href", "url(", "@import"] {
            assert!(!page.contains(fetch), "{fetch} in {page}");
        }
        assert!(page.ends_with("</main>\n</body>\n</html>\n"));
    }
}
