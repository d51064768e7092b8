//! The observations bundled in `data/`, compiled in, so that `agora
//! validate` checks the model against the same bytes wherever it runs (the
//! manifest records their SHA-256).

/// `data/eurostat_egov.csv`: citizens' online contact with public authorities.
pub const CITIZENS_FILE: &str = "data/eurostat_egov.csv";
/// `data/admin_social_media.csv`: public bodies on social media.
pub const ADMINISTRATIONS_FILE: &str = "data/admin_social_media.csv";

const CITIZENS: &str = include_str!("../../../../data/eurostat_egov.csv");
const ADMINISTRATIONS: &str = include_str!("../../../../data/admin_social_media.csv");

/// The bundled files: name and bytes.
pub fn files() -> [(&'static str, &'static [u8]); 2] {
    [
        (CITIZENS_FILE, CITIZENS.as_bytes()),
        (ADMINISTRATIONS_FILE, ADMINISTRATIONS.as_bytes()),
    ]
}

/// One row of a data file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The file it is in.
    pub file: &'static str,
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// The `indicator` column.
    pub indicator: String,
    /// The `geography` column (a country code, `EU27_2020`, `US-MI`, ...).
    pub geography: String,
    /// The `year` column.
    pub year: i32,
    /// The `value` column, in percent.
    pub value: f64,
}

impl Record {
    /// Where the row is, as a reader would look it up.
    pub fn source(&self) -> String {
        format!(
            "{}:{} ({}, {}, {})",
            self.file, self.line, self.indicator, self.geography, self.year
        )
    }
}

fn parse(file: &'static str, text: &str) -> Vec<Record> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a bundled file has a header").clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{file} has a column {name}"))
    };
    let (ind, geo, year, value) = (col("indicator"), col("geography"), col("year"), col("value"));
    reader
        .records()
        .map(|row| {
            let row = row.expect("a bundled file is valid CSV");
            Record {
                file,
                line: row.position().map_or(0, |p| p.line()),
                indicator: row[ind].to_string(),
                geography: row[geo].to_string(),
                year: row[year].parse().expect("a bundled year is a number"),
                value: row[value].parse().expect("a bundled value is a number"),
            }
        })
        .collect()
}

/// The rows of `data/eurostat_egov.csv`.
pub fn citizens() -> Vec<Record> {
    parse(CITIZENS_FILE, CITIZENS)
}

/// The rows of `data/admin_social_media.csv`.
pub fn administrations() -> Vec<Record> {
    parse(ADMINISTRATIONS_FILE, ADMINISTRATIONS)
}

/// The value of the row with this indicator, geography and year, in percent.
pub fn value<'a>(records: &'a [Record], indicator: &str, geography: &str, year: i32) -> Option<&'a Record> {
    records
        .iter()
        .find(|r| r.indicator == indicator && r.geography == geography && r.year == year)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled files parse, and every row the validation reads is there.
    #[test]
    fn bundled_data_hold_the_rows_validation_reads() {
        let c = citizens();
        assert!(c.len() > 40);
        assert_eq!(value(&c, "egov_interact_online_old", "DK", 2013).unwrap().value, 85.0);
        assert_eq!(
            value(&c, "egov_used_website_or_app", "EU27_2020", 2024).unwrap().value,
            70.0
        );
        let a = administrations();
        assert_eq!(value(&a, "commune_social_media", "CH", 2026).unwrap().value, 49.8);
        // Line numbers count the header as line 1.
        assert_eq!(c[0].line, 2);
    }
}
