//! "Did you mean": the closest name to a mistyped one, by edit distance,
//! for parameter paths, metric names, scenario names and columns.

/// Levenshtein distance between `a` and `b`, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb)).min(above + 1).min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate nearest to `given` if it is near enough to be a typo: at
/// most a third of the longer name's characters edited (at least one), or
/// the one candidate that `given` is a prefix or suffix of. Ties go to the
/// first candidate.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    let mut containing = Vec::new();
    for candidate in candidates {
        if candidate == given {
            return None;
        }
        let lower = candidate.to_lowercase();
        if given_lower.len() >= 3 && (lower.starts_with(&given_lower) || lower.ends_with(&given_lower)) {
            containing.push(candidate);
        }
        let distance = edit_distance(&given_lower, &lower);
        let limit = (given.chars().count().max(candidate.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c).or(match containing[..] {
        [only] => Some(only),
        _ => None,
    })
}

/// `; did you mean `X`?` for the nearest candidate, or nothing.
pub fn hint<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(given, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("adoption_imitaton", "adoption_imitation"), 1);
    }

    #[test]
    fn a_typo_finds_its_name_and_nonsense_finds_none() {
        let names = ["adoption_imitation", "digital_imitation", "citizen_pressure"];
        assert_eq!(did_you_mean("adoption_imitaton", names), Some("adoption_imitation"));
        assert_eq!(did_you_mean("digital_imitaton", names), Some("digital_imitation"));
        assert_eq!(did_you_mean("Citizen_Pressure", names), Some("citizen_pressure"));
        assert_eq!(did_you_mean("pressure", names), Some("citizen_pressure"));
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(
            did_you_mean("citizen_pressure", names),
            None,
            "an exact name needs no hint"
        );
        assert_eq!(did_you_mean("imitation", names), None, "two names end so: no guess");
    }
}
