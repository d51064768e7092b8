//! Months as dates: a scenario starts in a month (`"2012-01"`) and each
//! step is one month, so step t is dated start + t months.

use std::fmt;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Months since January of year 0.
    index: i32,
}

impl Month {
    /// Parse `YYYY-MM` (years 1900 to 2200).
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let (year, month): (i32, i32) = (year.parse().ok()?, month.parse().ok()?);
        ((1900..=2200).contains(&year) && (1..=12).contains(&month)).then_some(Month {
            index: year * 12 + month - 1,
        })
    }

    /// The month `steps` months later.
    pub fn plus(self, steps: u32) -> Month {
        Month {
            index: self.index + steps as i32,
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.index.div_euclid(12)
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u32 {
        self.index.rem_euclid(12) as u32 + 1
    }

    /// The time as a fractional year (`2012.0` for January 2012), for chart axes.
    pub fn as_year(self) -> f64 {
        f64::from(self.index) / 12.0
    }

    /// Months from `self` to `later`.
    pub fn months_to(self, later: Month) -> i32 {
        later.index - self.index
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_across_years() {
        let start = Month::parse("2012-01").unwrap();
        assert_eq!(start.to_string(), "2012-01");
        assert_eq!(start.plus(227).to_string(), "2030-12");
        assert_eq!(start.plus(11).to_string(), "2012-12");
        assert_eq!(start.plus(12).to_string(), "2013-01");
        assert_eq!(start.months_to(Month::parse("2024-06").unwrap()), 149);
        assert_eq!(start.as_year(), 2012.0);
        for bad in ["2012", "2012-13", "2012-00", "12-01", "1800-01", "2012-1", "x-y"] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }
}
