//! Layout of a project's timeline: its stages as bars, gate reviews as marks, grant periods as
//! bars and the reports an award brings as ticks, on an axis of fiscal years (Western and era).
//! Computed here and drawn by the `_timeline.html` SVG template.

use noguchi_domain::dates::parse_date;
use noguchi_domain::fiscal::FiscalYear;
use time::Date;

pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub y: f64,
    /// A CSS class (`stage-prototype`, `grant` …).
    pub class: String,
    pub title: String,
    pub label: String,
}

pub struct Mark {
    pub x: f64,
    pub y: f64,
    pub class: String,
    pub title: String,
}

pub struct Tick {
    pub x: f64,
    pub label: String,
    pub era: String,
}

pub struct Lane {
    pub y: f64,
    pub label: String,
}

pub struct Timeline {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub top: f64,
    pub bottom: f64,
    pub ticks: Vec<Tick>,
    pub lanes: Vec<Lane>,
    pub bars: Vec<Bar>,
    pub marks: Vec<Mark>,
    pub today_x: f64,
}

/// What the timeline draws, in dates.
pub struct Span {
    pub from: Date,
    pub to: Date,
    pub class: String,
    pub title: String,
    pub label: String,
}

pub struct Point {
    pub on: Date,
    pub class: String,
    pub title: String,
}

pub struct TimelineInput {
    pub stages: Vec<Span>,
    pub reviews: Vec<Point>,
    pub grants: Vec<Span>,
    pub reports: Vec<Point>,
    pub today: Date,
    /// Lane names: stages, reviews, grants, reports.
    pub lane_labels: [String; 4],
}

const WIDTH: f64 = 900.0;
const LEFT: f64 = 110.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 10.0;
const LANE: f64 = 34.0;
const BOTTOM: f64 = 40.0;

/// A date as the day number it is.
fn day(d: Date) -> f64 {
    f64::from(d.to_julian_day())
}

pub fn parse(d: &str) -> Option<Date> {
    parse_date(d).ok()
}

pub fn layout(input: TimelineInput) -> Timeline {
    let dates = input
        .stages
        .iter()
        .chain(&input.grants)
        .flat_map(|s| [s.from, s.to])
        .chain(input.reviews.iter().chain(&input.reports).map(|p| p.on))
        .chain([input.today]);
    let (min, max) = dates.fold((input.today, input.today), |(a, b), d| (a.min(d), b.max(d)));
    // Whole fiscal years, from the first one touched to the last.
    let first = FiscalYear::of_date(min);
    let last = FiscalYear::of_date(max);
    let (start, end) = (day(first.first_day()), day(last.last_day()) + 1.0);
    let plot = WIDTH - LEFT - RIGHT;
    let x = |d: Date| LEFT + (day(d) - start) / (end - start) * plot;
    let lane_y = |i: usize| TOP + LANE * i as f64;
    let ticks = (first.0..=last.0)
        .map(|y| {
            let fy = FiscalYear(y);
            Tick {
                x: x(fy.first_day()),
                label: format!("{y}"),
                era: fy.era_label(),
            }
        })
        .collect();
    let bar = |s: &Span, lane: usize| Bar {
        x: x(s.from),
        // A span of a day is still visible.
        width: (x(s.to) - x(s.from)).max(3.0),
        y: lane_y(lane) + 6.0,
        class: s.class.clone(),
        title: s.title.clone(),
        label: s.label.clone(),
    };
    let mark = |p: &Point, lane: usize| Mark {
        x: x(p.on),
        y: lane_y(lane) + LANE / 2.0,
        class: p.class.clone(),
        title: p.title.clone(),
    };
    let mut bars: Vec<Bar> = input.stages.iter().map(|s| bar(s, 0)).collect();
    bars.extend(input.grants.iter().map(|s| bar(s, 2)));
    let mut marks: Vec<Mark> = input.reviews.iter().map(|p| mark(p, 1)).collect();
    marks.extend(input.reports.iter().map(|p| mark(p, 3)));
    let [a, b, c, d] = input.lane_labels;
    Timeline {
        width: WIDTH,
        height: TOP + LANE * 4.0 + BOTTOM,
        left: LEFT,
        top: TOP,
        bottom: TOP + LANE * 4.0,
        ticks,
        lanes: [a, b, c, d]
            .into_iter()
            .enumerate()
            .map(|(i, label)| Lane {
                y: lane_y(i) + LANE / 2.0 + 4.0,
                label,
            })
            .collect(),
        bars,
        marks,
        today_x: x(input.today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_axis_spans_whole_fiscal_years_and_places_dates_in_order() {
        let t = layout(TimelineInput {
            stages: vec![Span {
                from: date!(2025 - 05 - 01),
                to: date!(2026 - 12 - 01),
                class: "stage-concept".into(),
                title: String::new(),
                label: "構想".into(),
            }],
            reviews: vec![],
            grants: vec![],
            reports: vec![Point {
                on: date!(2028 - 05 - 30),
                class: "report-upcoming".into(),
                title: String::new(),
            }],
            today: date!(2026 - 12 - 01),
            lane_labels: Default::default(),
        });
        // FY2025 … FY2028: four ticks, the first at the left edge, with era names.
        assert_eq!(t.ticks.len(), 4);
        assert_eq!(t.ticks[0].x, LEFT);
        assert_eq!(t.ticks[1].era, "令和8年度");
        assert!(t.bars[0].x > LEFT && t.bars[0].x + t.bars[0].width <= t.today_x + 0.01);
        assert!(t.marks[0].x > t.today_x && t.marks[0].x < WIDTH - RIGHT);
    }
}
