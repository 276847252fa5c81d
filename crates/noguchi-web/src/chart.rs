//! Layout of the KPI chart (cumulative jobs against the straight path to each target), computed
//! here and drawn by the `_chart.html` SVG template: no HTML or SVG is built as text in Rust.

use noguchi_domain::kpi::KpiReport;
use noguchi_domain::programme::ProgrammeDefinition;

pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub title: String,
}

pub struct Tick {
    pub pos: f64,
    pub label: String,
}

pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub bottom: f64,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    /// `x,y x,y …` of the actual cumulative jobs.
    pub actual: String,
    pub dots: Vec<Dot>,
    /// `x,y …` of the straight path from the baseline to each milestone target.
    pub target: String,
    pub target_dots: Vec<Dot>,
    pub indicator_label: String,
}

/// Lays out the chart of the indicator `key` (the total when the programme has one).
pub fn layout(
    def: &ProgrammeDefinition,
    r: &KpiReport,
    jobs_label: impl Fn(i64) -> String,
) -> Option<Chart> {
    let ind = def
        .indicators
        .iter()
        .find(|i| !i.sum_of.is_empty())
        .or_else(|| {
            def.indicators
                .iter()
                .find(|i| i.measures.iter().any(|m| m == "jobs"))
        })?;
    let index = def.indicators.iter().position(|i| i.key == ind.key)?;
    let (width, height, left, right, top, bottom) = (760.0, 360.0, 64.0, 24.0, 20.0, 48.0);
    let first = r.baseline.0 - 1; // the origin: before the baseline year, nothing counted
    let last = r.years.last().map_or(r.baseline.0, |y| y.fiscal_year.0);
    let targets: Vec<(i32, i64)> = def
        .milestones
        .iter()
        .filter_map(|m| Some((m.fiscal_year, m.targets.get(&ind.key)?.jobs?)))
        .collect();
    let max_actual = r.years.iter().map(|y| y.cells[index].2).max().unwrap_or(0);
    let max = targets
        .iter()
        .map(|t| t.1)
        .max()
        .unwrap_or(0)
        .max(max_actual)
        .max(1);
    let step = nice_step(max as f64 / 5.0);
    let y_max = (max as f64 / step).ceil() * step;
    let x = |fy: i32| {
        left + (fy - first) as f64 / (last - first).max(1) as f64 * (width - left - right)
    };
    let y = |v: f64| top + (1.0 - v / y_max) * (height - top - bottom);
    let mut actual = vec![format!("{:.1},{:.1}", x(first), y(0.0))];
    let mut dots = Vec::new();
    for row in &r.years {
        let v = row.cells[index].2;
        actual.push(format!("{:.1},{:.1}", x(row.fiscal_year.0), y(v as f64)));
        dots.push(Dot {
            x: x(row.fiscal_year.0),
            y: y(v as f64),
            title: format!("{}: {}", row.fiscal_year.era_label(), jobs_label(v)),
        });
    }
    let mut target = vec![format!("{:.1},{:.1}", x(first), y(0.0))];
    let mut target_dots = Vec::new();
    for (fy, t) in &targets {
        target.push(format!("{:.1},{:.1}", x(*fy), y(*t as f64)));
        target_dots.push(Dot {
            x: x(*fy),
            y: y(*t as f64),
            title: jobs_label(*t),
        });
    }
    // Labels at the origin, every fifth year and the milestones, never two closer than 3 years.
    let mut label_years: Vec<i32> = targets.iter().map(|t| t.0).collect();
    for fy in (first..=last)
        .filter(|fy| (fy - first) % 5 == 0)
        .chain([last])
    {
        if label_years.iter().all(|l| (l - fy).abs() >= 3) {
            label_years.push(fy);
        }
    }
    label_years.sort_unstable();
    let x_ticks = label_years
        .into_iter()
        .map(|fy| Tick {
            pos: x(fy),
            label: noguchi_domain::fiscal::FiscalYear(fy)
                .era_label()
                .replace("年度", ""),
        })
        .collect();
    let y_ticks = (0..=((y_max / step) as i64))
        .map(|i| Tick {
            pos: y(i as f64 * step),
            label: format!("{}", (i as f64 * step) as i64),
        })
        .collect();
    Some(Chart {
        width,
        height,
        left,
        right,
        bottom,
        x_ticks,
        y_ticks,
        actual: actual.join(" "),
        dots,
        target: target.join(" "),
        target_dots,
        indicator_label: ind.label.clone(),
    })
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let raw = raw.max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn steps_are_round() {
        assert_eq!(super::nice_step(145.0), 200.0);
        assert_eq!(super::nice_step(9.0), 10.0);
        assert_eq!(super::nice_step(0.2), 1.0);
    }
}
