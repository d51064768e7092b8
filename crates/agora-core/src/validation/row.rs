//! One row of `validation.csv`: a pattern, its observed value and the
//! model's band, and whether they agree.

/// The chart a row is drawn in, and how its rows are placed on the x axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Online contact in the EU, the fitted series (x: year).
    OnlineContact,
    /// Local governments' presence, the fitted series (x: year).
    Presence,
    /// Each fitted observation predicted by a fit without it (x: the observation).
    LeaveOneOut,
    /// Countries from their 2013 level to 2024 (x: country).
    Countries2013,
    /// Countries from their 2019 level to 2024 (x: country).
    Countries2019,
    /// Presence by jurisdiction size (x: size class).
    Size,
    /// Large bodies' presence (x: year).
    LargeBodies,
    /// The futures after the branch (x: scenario).
    Futures,
    /// The digital layer's Bass limit (x: year).
    Bass,
}

impl Group {
    /// Every group, in the order of the table and the report.
    pub const ALL: [Group; 9] = [
        Group::OnlineContact,
        Group::Presence,
        Group::LeaveOneOut,
        Group::Countries2013,
        Group::Countries2019,
        Group::Size,
        Group::LargeBodies,
        Group::Futures,
        Group::Bass,
    ];

    /// What kind of check the group is: `fitted` (the calibration's own
    /// data), `refit` (the fitted data again, each point predicted by a fit
    /// without it), `held-out data` (data the model never saw), `narrative`
    /// (the scenario study's futures, as values with stated tolerances) or
    /// `verification` (the code against an equation).
    pub fn kind(self) -> &'static str {
        match self {
            Group::OnlineContact | Group::Presence => "fitted",
            Group::LeaveOneOut => "refit",
            Group::Countries2013 | Group::Countries2019 | Group::Size | Group::LargeBodies => "held-out data",
            Group::Futures => "narrative",
            Group::Bass => "verification",
        }
    }

    /// The kinds, in table order.
    pub const KINDS: [&'static str; 5] = ["fitted", "refit", "held-out data", "narrative", "verification"];

    /// The name in `validation.csv`'s `group` column.
    pub fn name(self) -> &'static str {
        match self {
            Group::OnlineContact => "online_contact",
            Group::Presence => "presence",
            Group::LeaveOneOut => "leave_one_out",
            Group::Countries2013 => "countries_2013",
            Group::Countries2019 => "countries_2019",
            Group::Size => "size",
            Group::LargeBodies => "large_bodies",
            Group::Futures => "futures",
            Group::Bass => "bass",
        }
    }

    /// A title for the table and the report.
    pub fn title(self) -> &'static str {
        match self {
            Group::OnlineContact => "Online contact with public authorities, EU (fitted)",
            Group::Presence => "Local governments on social media (fitted)",
            Group::LeaveOneOut => "Each fitted observation, predicted by a fit without it",
            Group::Countries2013 => "Countries, from their 2013 level to 2024 (used a website or app)",
            Group::Countries2019 => "Countries, from their 2019 level to 2024 (used a website or app)",
            Group::Size => "Presence by jurisdiction size",
            Group::LargeBodies => "Large councils on social media",
            Group::Futures => "The three futures after the branch (2026-01 to 2030-12)",
            Group::Bass => "The digital layer's Bass limit",
        }
    }

    /// Whether the x values are calendar years (else categories).
    pub fn by_year(self) -> bool {
        matches!(
            self,
            Group::OnlineContact | Group::Presence | Group::LargeBodies | Group::Bass
        )
    }

    /// The group named `name`.
    pub fn named(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// One pattern checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its chart.
    pub group: Group,
    /// What is compared, in words, with its unit.
    pub pattern: String,
    /// Where the observed value comes from: a data file and line, or a citation.
    pub source: String,
    /// The x value in its chart: a month (`2013-04`) for groups by year, else a category.
    pub x: String,
    /// The observed value.
    pub observed: f64,
    /// Its stated uncertainty (one standard deviation).
    pub observed_sd: f64,
    /// The model's mean over independent replicates.
    pub model_mean: f64,
    /// The 2.5th percentile over replicates.
    pub model_low: f64,
    /// The 97.5th percentile over replicates.
    pub model_high: f64,
    /// Whether the observation was used to fit the model.
    pub fitted: bool,
}

impl Row {
    /// Whether the observation agrees with the model: it lies within two
    /// of its standard deviations of the model's 95% band. An undefined band
    /// never passes.
    pub fn pass(&self) -> bool {
        if !(self.model_low.is_finite() && self.model_high.is_finite()) {
            return false;
        }
        let nearest = self.observed.clamp(self.model_low, self.model_high);
        (self.observed - nearest).abs() <= 2.0 * self.observed_sd + 1e-12
    }

    /// Fill in the model's mean and band from its replicates.
    pub fn with_band(mut self, replicates: &[f64]) -> Row {
        let (mean, low, high) = super::sample::band(replicates);
        self.model_mean = mean;
        self.model_low = low;
        self.model_high = high;
        self
    }

    /// Fill in the model's mean over replicates and the 95% interval of that
    /// mean (Student's t): for quantities whose single runs say little, such
    /// as shares of a handful of administrations that stand for thousands.
    /// The interval is cut to `range`, the values the quantity can take.
    pub fn with_mean_band(mut self, replicates: &[f64], range: (f64, f64)) -> Row {
        let v: Vec<f64> = replicates.iter().copied().filter(|x| x.is_finite()).collect();
        if v.len() < 2 {
            // No interval from fewer than two values: the band stays undefined and the row fails.
            self.model_mean = v.first().copied().unwrap_or(f64::NAN);
            return self;
        }
        let (mean, sd) = crate::stats::mean_sd(&v);
        let half = crate::stats::t_975(v.len() - 1) * sd / (v.len() as f64).sqrt();
        self.model_mean = mean;
        self.model_low = (mean - half).max(range.0);
        self.model_high = (mean + half).min(range.1);
        self
    }

    /// A row with no model values yet.
    pub fn new(group: Group, pattern: impl Into<String>, source: impl Into<String>, x: impl Into<String>) -> Row {
        Row {
            group,
            pattern: pattern.into(),
            source: source.into(),
            x: x.into(),
            observed: f64::NAN,
            observed_sd: 0.0,
            model_mean: f64::NAN,
            model_low: f64::NAN,
            model_high: f64::NAN,
            fitted: false,
        }
    }

    /// Set the observed value and its standard deviation.
    pub fn observed(mut self, value: f64, sd: f64) -> Row {
        self.observed = value;
        self.observed_sd = sd;
        self
    }

    /// Mark the row as used in fitting.
    pub fn fitted(mut self) -> Row {
        self.fitted = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(observed: f64, sd: f64, low: f64, high: f64) -> Row {
        Row {
            model_low: low,
            model_high: high,
            ..Row::new(Group::Size, "p", "s", "x").observed(observed, sd)
        }
    }

    #[test]
    fn an_observation_passes_within_two_sd_of_the_band() {
        assert!(row(0.5, 0.0, 0.4, 0.6).pass());
        assert!(row(0.7, 0.05, 0.4, 0.6).pass());
        assert!(!row(0.71, 0.05, 0.4, 0.6).pass());
        assert!(!row(0.29, 0.05, 0.4, 0.6).pass());
        assert!(!row(0.5, 0.1, f64::NAN, f64::NAN).pass());
    }

    #[test]
    fn a_mean_band_of_fewer_than_two_values_is_undefined_and_fails() {
        let one = Row::new(Group::Size, "p", "s", "x")
            .observed(0.5, 0.1)
            .with_mean_band(&[0.5, f64::NAN], (0.0, 1.0));
        assert!(one.model_low.is_nan() && !one.pass());
        let none = Row::new(Group::Size, "p", "s", "x")
            .observed(0.5, 0.1)
            .with_mean_band(&[f64::NAN; 3], (0.0, 1.0));
        assert!(!none.pass());
    }
}
