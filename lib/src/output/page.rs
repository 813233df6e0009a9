//! A report as a page: in Markdown and html it starts with its title, the
//! as-of date and the customers it covers, so a mailed or saved report says
//! which day and which selection it is of.

use std::io::{self, Write};

use super::chart::Chart;
use super::{Format, Heading, Section, Style, html, printable, write_sections};

/// Writes a report's sections in `format`, under its heading in Markdown and
/// html, with its charts in html.
pub fn write_report(
    out: &mut dyn Write,
    heading: &Heading,
    charts: &[Chart],
    sections: &[Section],
    format: Format,
    style: Style,
) -> io::Result<()> {
    match format {
        Format::Html => html::write_page(out, Some(heading), charts, sections),
        Format::Markdown => {
            writeln!(out, "# {}\n", printable(&heading.title))?;
            writeln!(out, "{}\n", printable(&heading.line()))?;
            write_sections(out, sections, format, style)
        }
        _ => write_sections(out, sections, format, style),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Table;
    use chrono::NaiveDate;

    #[test]
    fn markdown_starts_with_the_title_date_and_filter() {
        let heading = Heading {
            title: "Funnel".into(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            filter: Some("where region = \"EU\"".into()),
            currency: None,
        };
        let sections = [Section::new("stages", "Stages", Table::new(&["stage"]))];
        let render = |format| {
            let mut out = Vec::new();
            write_report(&mut out, &heading, &[], &sections, format, Style::default()).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            render(Format::Markdown),
            "# Funnel\n\nAs of 2026-11-20 · where region = \"EU\"\n\n| stage |\n| --- |\n"
        );
        assert_eq!(render(Format::Csv), "stage\n");
        let unfiltered = Heading {
            filter: None,
            ..heading
        };
        assert_eq!(unfiltered.line(), "As of 2026-11-20");
        let in_euros = Heading {
            currency: Some("EUR".into()),
            ..unfiltered
        };
        assert_eq!(in_euros.line(), "As of 2026-11-20 · amounts in EUR");
    }
}
