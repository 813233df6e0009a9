//! Charts of html pages: what a report wants drawn ([`Chart`], plain data a
//! report builds from its figures), drawn as inline SVG by plotters' SVG
//! backend (no fonts: the browser lays the text out; docs/reports.md says why
//! plotters). Colours are Okabe and Ito's, told apart by colour-blind readers
//! and, being of different lightness, in greyscale print; every mark carries
//! its number, so no colour is needed to read a value.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::borrow::Cow;

use super::{escape, thousands};

/// Bar series colours (Okabe–Ito blue, orange, bluish green), dark to light.
const BAR_COLOURS: [RGBColor; 3] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
];
/// The line drawn over bars (a year earlier, a forecast): black, with dots.
const LINE_COLOUR: RGBColor = RGBColor(0, 0, 0);
/// A viridis-like sequential scale for heat maps, light to dark, so more is
/// darker in colour and in greyscale alike.
const HEAT_SCALE: [(u8, u8, u8); 5] = [
    (0xFD, 0xE7, 0x25),
    (0x5E, 0xC9, 0x62),
    (0x21, 0x91, 0x8C),
    (0x3B, 0x52, 0x8B),
    (0x44, 0x01, 0x54),
];
const WIDTH: u32 = 1000;
const FONT: &str = "sans-serif";

/// How a chart's numbers are written beside its marks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    /// Whole numbers of things.
    Count,
    /// Money, rounded to whole units, thousands separated.
    Money,
    /// A fraction, written as a percentage.
    Share,
}

impl Unit {
    fn label(self, value: f64) -> String {
        match self {
            Unit::Count if value.fract() == 0.0 => format!("{value:.0}"),
            Unit::Count => format!("{value:.1}"),
            Unit::Money => thousands(&format!("{value:.0}")),
            Unit::Share => format!("{:.0}%", value * 100.0),
        }
    }
}

/// Values of one series, one per category (`None`: no mark there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Option<f64>>) -> Series {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// Bars per category, side by side when there are several series, with a
/// line over them, and a note under each category's label.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    pub title: String,
    pub categories: Vec<String>,
    pub bars: Vec<Series>,
    /// Drawn over the bars, e.g. the same months a year earlier.
    pub line: Option<Series>,
    /// Under each category's label (a conversion rate), or nothing.
    pub notes: Vec<String>,
    pub unit: Unit,
    /// Categories down the side, bars to the right (long names).
    pub horizontal: bool,
}

/// Numbers in a grid of coloured cells.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    /// What the rows and the columns are.
    pub row_title: String,
    pub column_title: String,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Row by row; `None` leaves a cell blank.
    pub cells: Vec<Vec<Option<f64>>>,
    pub unit: Unit,
}

/// What a report wants drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    Bars(Bars),
    HeatMap(HeatMap),
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars(bars) => &bars.title,
            Chart::HeatMap(map) => &map.title,
        }
    }

    /// The chart as an `<svg>` element, titled for screen readers.
    pub fn svg(&self) -> String {
        let mut svg = String::new();
        let drawn = match self {
            Chart::Bars(bars) => draw_bars(bars, &mut svg),
            Chart::HeatMap(map) => draw_heat_map(map, &mut svg),
        };
        if let Err(error) = drawn {
            // Drawing into a string fails only on a plotters bug: say so on the page.
            return format!("<p>(the chart could not be drawn: {})</p>", escape(&error));
        }
        let title = escape(self.title());
        svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{title}\" "),
            1,
        )
        .replacen('>', &format!("><title>{title}</title>"), 1)
    }
}

type Drawn = Result<(), String>;

fn failed(error: impl std::fmt::Debug) -> String {
    format!("{error:?}")
}

fn text_style(size: u32, pos: Pos) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK).pos(pos)
}

/// The largest value drawn, so the axis leaves room for the labels above it.
fn largest(series: impl Iterator<Item = Option<f64>>) -> f64 {
    series.flatten().fold(0.0, f64::max).max(1.0)
}

fn draw_bars(chart: &Bars, svg: &mut String) -> Drawn {
    let n = chart.categories.len().max(1);
    let height = if chart.horizontal {
        80 + 28 * n as u32
    } else {
        380
    };
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let values = chart
        .bars
        .iter()
        .chain(&chart.line)
        .flat_map(|s| s.values.iter().copied());
    let top = largest(values) * 1.18;
    let unit = chart.unit;
    let label_of = |v: &f64| unit.label(*v);
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(&chart.title, (FONT, 18))
        .margin(12)
        .x_label_area_size(if chart.horizontal { 30 } else { 48 })
        .y_label_area_size(if chart.horizontal { 220 } else { 70 });
    let series_count = chart.bars.len().max(1) as f64;
    let width = 0.8 / series_count;
    // Bar k of category i covers [i + 0.1 + k w, i + 0.1 + (k + 1) w] along the categories.
    let span = |i: usize, k: usize| {
        let from = i as f64 + 0.1 + k as f64 * width;
        (from, from + width)
    };
    let legend = |area: &DrawingArea<SVGBackend, _>, names: &[(String, ShapeStyle)]| -> Drawn {
        for (index, (name, style)) in names.iter().enumerate() {
            let x = 80 + 220 * index as i32;
            area.draw(&Rectangle::new([(x, 34), (x + 14, 46)], *style))
                .map_err(failed)?;
            area.draw(&Text::new(
                name.clone(),
                (x + 20, 40),
                text_style(13, Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(failed)?;
        }
        Ok(())
    };
    let mut names: Vec<(String, ShapeStyle)> = chart
        .bars
        .iter()
        .zip(BAR_COLOURS.iter().cycle())
        .map(|(s, colour)| (s.name.clone(), colour.filled()))
        .collect();
    if let Some(line) = &chart.line {
        names.push((line.name.clone(), LINE_COLOUR.filled()));
    }
    if names.len() > 1 {
        legend(&root, &names)?;
    }
    if chart.horizontal {
        let mut area = builder
            .build_cartesian_2d(0f64..top, 0f64..n as f64)
            .map_err(failed)?;
        area.configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_label_formatter(&label_of)
            .draw()
            .map_err(failed)?;
        // The first category at the top.
        let row = |i: usize| (n - 1 - i) as f64;
        for (k, series) in chart.bars.iter().enumerate() {
            let colour = BAR_COLOURS[k % BAR_COLOURS.len()];
            for (i, value) in series.values.iter().enumerate() {
                let Some(value) = *value else { continue };
                let (from, to) = span(0, k);
                let (y0, y1) = (row(i) + from, row(i) + to);
                area.draw_series([Rectangle::new([(0.0, y0), (value, y1)], colour.filled())])
                    .map_err(failed)?;
                let at = EmptyElement::at((value, (y0 + y1) / 2.0));
                let label = Text::new(
                    unit.label(value),
                    (6, 0),
                    text_style(13, Pos::new(HPos::Left, VPos::Center)),
                );
                area.draw_series([at + label]).map_err(failed)?;
            }
        }
        for (i, category) in chart.categories.iter().enumerate() {
            let at = EmptyElement::at((0.0, row(i) + 0.5));
            let label = Text::new(
                shortened(category, 32).into_owned(),
                (-8, 0),
                text_style(13, Pos::new(HPos::Right, VPos::Center)),
            );
            area.draw_series([at + label]).map_err(failed)?;
        }
    } else {
        let mut area = builder
            .build_cartesian_2d(0f64..n as f64, 0f64..top)
            .map_err(failed)?;
        area.configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&label_of)
            .draw()
            .map_err(failed)?;
        for (k, series) in chart.bars.iter().enumerate() {
            let colour = BAR_COLOURS[k % BAR_COLOURS.len()];
            for (i, value) in series.values.iter().enumerate() {
                let Some(value) = *value else { continue };
                let (x0, x1) = span(i, k);
                area.draw_series([Rectangle::new([(x0, 0.0), (x1, value)], colour.filled())])
                    .map_err(failed)?;
                let at = EmptyElement::at(((x0 + x1) / 2.0, value));
                let label = Text::new(
                    unit.label(value),
                    (0, -4),
                    text_style(12, Pos::new(HPos::Center, VPos::Bottom)),
                );
                area.draw_series([at + label]).map_err(failed)?;
            }
        }
        if let Some(line) = &chart.line {
            let points: Vec<(f64, f64)> = line
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v)))
                .collect();
            area.draw_series([PathElement::new(
                points.clone(),
                LINE_COLOUR.stroke_width(2),
            )])
            .map_err(failed)?;
            for point in points {
                let label = Text::new(
                    unit.label(point.1),
                    (8, 4),
                    text_style(11, Pos::new(HPos::Left, VPos::Top)),
                );
                area.draw_series([Circle::new(point, 4, LINE_COLOUR.filled())])
                    .map_err(failed)?;
                area.draw_series([EmptyElement::at(point) + label])
                    .map_err(failed)?;
            }
        }
        for (i, category) in chart.categories.iter().enumerate() {
            let at = (i as f64 + 0.5, 0.0);
            let label = Text::new(
                shortened(category, 14).into_owned(),
                (0, 6),
                text_style(12, Pos::new(HPos::Center, VPos::Top)),
            );
            area.draw_series([EmptyElement::at(at) + label])
                .map_err(failed)?;
            if let Some(note) = chart.notes.get(i).filter(|n| !n.is_empty()) {
                let note = Text::new(
                    note.clone(),
                    (0, 24),
                    text_style(12, Pos::new(HPos::Center, VPos::Top)),
                );
                area.draw_series([EmptyElement::at(at) + note])
                    .map_err(failed)?;
            }
        }
    }
    root.present().map_err(failed)
}

fn draw_heat_map(map: &HeatMap, svg: &mut String) -> Drawn {
    let (rows, columns) = (map.rows.len().max(1), map.columns.len().max(1));
    let height = 110 + 30 * rows as u32;
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let mut area = ChartBuilder::on(&root)
        .caption(&map.title, (FONT, 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(110)
        .build_cartesian_2d(0f64..columns as f64, 0f64..rows as f64)
        .map_err(failed)?;
    area.configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(map.column_title.as_str())
        .y_desc(map.row_title.as_str())
        .draw()
        .map_err(failed)?;
    let highest = largest(map.cells.iter().flatten().copied());
    for (r, cells) in map.cells.iter().enumerate() {
        // The first row at the top.
        let y = (rows - 1 - r) as f64;
        for (c, cell) in cells.iter().enumerate() {
            let Some(value) = *cell else { continue };
            let (colour, ink) = heat(value / highest);
            let x = c as f64;
            area.draw_series([Rectangle::new(
                [(x, y), (x + 1.0, y + 1.0)],
                colour.filled(),
            )])
            .map_err(failed)?;
            let label = Text::new(
                map.unit.label(value),
                (0, 0),
                (FONT, 12)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            );
            area.draw_series([EmptyElement::at((x + 0.5, y + 0.5)) + label])
                .map_err(failed)?;
        }
    }
    for (r, name) in map.rows.iter().enumerate() {
        let at = EmptyElement::at((0.0, (rows - 1 - r) as f64 + 0.5));
        let label = Text::new(
            shortened(name, 16).into_owned(),
            (-6, 0),
            text_style(12, Pos::new(HPos::Right, VPos::Center)),
        );
        area.draw_series([at + label]).map_err(failed)?;
    }
    for (c, name) in map.columns.iter().enumerate() {
        let at = EmptyElement::at((c as f64 + 0.5, 0.0));
        let label = Text::new(
            shortened(name, 10).into_owned(),
            (0, 6),
            text_style(12, Pos::new(HPos::Center, VPos::Top)),
        );
        area.draw_series([at + label]).map_err(failed)?;
    }
    root.present().map_err(failed)
}

/// The colour of a cell holding `share` of the largest value, and the ink
/// its number is written in (white on the dark end).
fn heat(share: f64) -> (RGBColor, RGBColor) {
    // Nothing is no colour, so a grid's empty cells do not read as "a few".
    if share <= 0.0 {
        return (WHITE, BLACK);
    }
    let last = HEAT_SCALE.len() - 1;
    let position = share.clamp(0.0, 1.0) * last as f64;
    let low = (position.floor() as usize).min(last - 1);
    let t = position - low as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    let (a, b) = (HEAT_SCALE[low], HEAT_SCALE[low + 1]);
    let colour = RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2));
    let ink = if share > 0.45 { WHITE } else { BLACK };
    (colour, ink)
}

/// `text` cut to `most` characters with `…`: a chart's labels must not
/// overlap; the tables below it hold the whole text.
fn shortened(text: &str, most: usize) -> Cow<'_, str> {
    if text.chars().count() <= most {
        return Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(most - 1).collect();
    Cow::Owned(format!("{kept}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars(title: &str, categories: &[&str]) -> Chart {
        Chart::Bars(Bars {
            title: title.into(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            bars: vec![Series::new("reached", vec![Some(12.0), Some(3.0)])],
            line: Some(Series::new("a year earlier", vec![Some(10.0), None])),
            notes: vec!["25%".into(), String::new()],
            unit: Unit::Count,
            horizontal: false,
        })
    }

    #[test]
    fn a_chart_is_titled_svg_with_its_numbers_and_escaped_labels() {
        let svg = bars("Deals <by> stage", &["<script>alert(1)</script>", "won"]).svg();
        assert!(
            svg.starts_with(
                "<svg role=\"img\" aria-label=\"Deals &lt;by&gt; stage\" width=\"1000\""
            ),
            "{svg}"
        );
        assert!(svg.contains("<title>Deals &lt;by&gt; stage</title>"));
        for number in [">\n12\n<", ">\n3\n<", ">\n10\n<", ">\n25%\n<"] {
            assert!(svg.contains(number), "{number} in {svg}");
        }
        // Cut to 14 characters for the axis, escaped.
        assert!(svg.contains("&lt;script&gt;alert…"), "{svg}");
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("href"));
    }

    #[test]
    fn heat_map_cells_carry_their_numbers_and_darken_with_more() {
        let map = Chart::HeatMap(HeatMap {
            title: "Retention".into(),
            row_title: "cohort".into(),
            column_title: "month".into(),
            rows: vec!["2026-01".into(), "2026-02".into()],
            columns: vec!["m0".into(), "m1".into()],
            cells: vec![vec![Some(1.0), Some(0.25)], vec![Some(1.0), None]],
            unit: Unit::Share,
        });
        let svg = map.svg();
        assert_eq!(svg.matches(">\n100%\n<").count(), 2, "{svg}");
        assert!(svg.contains(">\n25%\n<"));
        assert_eq!(heat(0.0), (WHITE, BLACK));
        assert_ne!(heat(0.01).0, WHITE);
        assert_eq!(heat(1.0), (RGBColor(0x44, 0x01, 0x54), WHITE));
    }

    #[test]
    fn labels_name_money_counts_and_shares() {
        assert_eq!(Unit::Money.label(1234567.4), "1,234,567");
        assert_eq!(Unit::Count.label(7.0), "7");
        assert_eq!(Unit::Count.label(7.25), "7.2");
        assert_eq!(Unit::Share.label(0.634), "63%");
        assert_eq!(shortened("abcdef", 4), "abc…");
        assert_eq!(shortened("abc", 4), "abc");
    }
}
