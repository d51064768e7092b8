//! Value types of a scenario that are more than a number: distributions,
//! jurisdiction layouts and graph generators. Each is replaced as a whole by
//! a patch, and its numeric fields can be set by path (`...digitalization.a`).

use serde::{Deserialize, Serialize};

use super::settings::{Given, PathError, PathErrorKind, Settable, join, parse_value};

/// Distribution of an initial agent attribute; draws are clipped to \[0, 1\].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dist {
    /// Every agent gets the value.
    Const(f64),
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// Beta(a, b).
    Beta {
        /// First shape parameter.
        a: f64,
        /// Second shape parameter.
        b: f64,
    },
    /// Normal, clamped to [0, 1].
    Normal {
        /// Mean before clamping.
        mean: f64,
        /// Standard deviation before clamping.
        sd: f64,
    },
}

/// How citizens are split into jurisdictions (contiguous index blocks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Jurisdictions {
    /// Sizes differ by at most one, larger blocks first.
    Equal,
    /// One citizen per block, the rest split in proportion to `1/(j+1)^exponent`
    /// (floored; the citizens left over go one each to blocks 0, 1, 2, ...).
    Zipf {
        /// 0 gives equal sizes; larger values, a few large jurisdictions.
        exponent: f64,
    },
}

/// A network generator (docs/model.md, "Entities, state variables and scales").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GraphSpec {
    /// Mean field; never materialised.
    Complete,
    /// G(n, p) with p set by the mean degree.
    ErdosRenyi {
        /// Expected mean degree.
        mean_degree: f64,
    },
    /// A ring lattice rewired with probability beta.
    WattsStrogatz {
        /// Neighbours on the ring (even).
        k: u32,
        /// Rewiring probability.
        beta: f64,
    },
    /// Preferential attachment.
    BarabasiAlbert {
        /// Edges each new node brings.
        m: u32,
    },
    /// Ties mostly within jurisdictions.
    StochasticBlock {
        /// Expected mean degree.
        mean_degree: f64,
        /// Share of ties inside the own jurisdiction.
        within: f64,
    },
    /// CSV `source,target`; relative paths are taken from the scenario file's folder.
    EdgeList(String),
}

/// The numeric fields of a variant, by name, for path access.
trait Fields {
    fn fields_mut(&mut self) -> Vec<(&'static str, FieldRef<'_>)>;
}

enum FieldRef<'a> {
    Float(&'a mut f64),
    Count(&'a mut u32),
    Text(&'a mut String),
}

impl Fields for Dist {
    fn fields_mut(&mut self) -> Vec<(&'static str, FieldRef<'_>)> {
        use FieldRef::Float;
        match self {
            Dist::Const(x) => vec![("value", Float(x))],
            Dist::Uniform { low, high } => vec![("low", Float(low)), ("high", Float(high))],
            Dist::Beta { a, b } => vec![("a", Float(a)), ("b", Float(b))],
            Dist::Normal { mean, sd } => vec![("mean", Float(mean)), ("sd", Float(sd))],
        }
    }
}

impl Fields for Jurisdictions {
    fn fields_mut(&mut self) -> Vec<(&'static str, FieldRef<'_>)> {
        match self {
            Jurisdictions::Equal => vec![],
            Jurisdictions::Zipf { exponent } => vec![("exponent", FieldRef::Float(exponent))],
        }
    }
}

impl Fields for GraphSpec {
    fn fields_mut(&mut self) -> Vec<(&'static str, FieldRef<'_>)> {
        use FieldRef::{Count, Float, Text};
        match self {
            GraphSpec::Complete => vec![],
            GraphSpec::ErdosRenyi { mean_degree } => vec![("mean_degree", Float(mean_degree))],
            GraphSpec::WattsStrogatz { k, beta } => vec![("k", Count(k)), ("beta", Float(beta))],
            GraphSpec::BarabasiAlbert { m } => vec![("m", Count(m))],
            GraphSpec::StochasticBlock { mean_degree, within } => {
                vec![("mean_degree", Float(mean_degree)), ("within", Float(within))]
            }
            GraphSpec::EdgeList(path) => vec![("path", Text(path))],
        }
    }
}

macro_rules! variant_value {
    ($($ty:ty => $expected:literal),* $(,)?) => {$(
        impl Settable for $ty {
            type Patch = Given<$ty>;
            fn apply(&mut self, patch: Given<$ty>) {
                if let Some(value) = patch.0 {
                    *self = value;
                }
            }
            fn set(&mut self, path: &[&str], value: &str) -> Result<(), PathError> {
                match path {
                    [] => {
                        *self = parse_value(value, $expected)?;
                        Ok(())
                    }
                    [field] => set_variant_field(self, field, value),
                    [field, ..] => Err(PathError::new(PathErrorKind::TooDeep).within(field)),
                }
            }
            fn leaf_paths(&self, prefix: &str, out: &mut Vec<String>) {
                out.push(prefix.to_string());
                let mut copy = self.clone();
                for (name, _) in copy.fields_mut() {
                    out.push(join(prefix, name));
                }
            }
        }
    )*};
}

variant_value! {
    Dist => "a distribution: Const(x), Uniform(low: x, high: y), Beta(a: x, b: y) or Normal(mean: x, sd: y)",
    Jurisdictions => "Equal or Zipf(exponent: x)",
    GraphSpec => "a graph: Complete, ErdosRenyi(mean_degree: x), WattsStrogatz(k: n, beta: x), BarabasiAlbert(m: n), StochasticBlock(mean_degree: x, within: y) or EdgeList(\"file.csv\")",
}

fn set_variant_field<T: Fields>(target: &mut T, field: &str, value: &str) -> Result<(), PathError> {
    let mut fields = target.fields_mut();
    let names: Vec<&'static str> = fields.iter().map(|(name, _)| *name).collect();
    let Some((_, slot)) = fields.iter_mut().find(|(name, _)| *name == field) else {
        return Err(PathError::new(PathErrorKind::Unknown { allowed: names }).within(field));
    };
    match slot {
        FieldRef::Float(x) => **x = parse_value(value, "a number").map_err(|e| e.within(field))?,
        FieldRef::Count(x) => **x = parse_value(value, "a whole number >= 0").map_err(|e| e.within(field))?,
        FieldRef::Text(x) => **x = parse_value(value, "a string").map_err(|e| e.within(field))?,
    }
    Ok(())
}

impl Jurisdictions {
    /// Citizens per jurisdiction (docs/model.md, "Entities"). A block may come
    /// out empty under a steep Zipf law; validation rejects that.
    pub fn sizes(&self, citizens: u32, administrations: u32) -> Vec<u32> {
        let (n, m) = (u64::from(citizens), administrations as usize);
        if m == 0 {
            return Vec::new();
        }
        let mut sizes: Vec<u64> = match self {
            Jurisdictions::Equal => vec![n / m as u64; m],
            // One citizen each, so no jurisdiction is empty; the rest by weight.
            Jurisdictions::Zipf { exponent } => {
                let weights: Vec<f64> = (0..m).map(|j| ((j + 1) as f64).powf(-exponent)).collect();
                let total: f64 = weights.iter().sum();
                let rest = n.saturating_sub(m as u64) as f64;
                weights
                    .iter()
                    .map(|w| u64::from(n >= m as u64) + (rest * w / total).floor() as u64)
                    .collect()
            }
        };
        let assigned: u64 = sizes.iter().sum();
        let remainder = n.saturating_sub(assigned) as usize;
        // Flooring loses less than one citizen per block, so this wraps at most once.
        for j in 0..remainder {
            sizes[j % m] += 1;
        }
        sizes.into_iter().map(|s| s as u32).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_blocks_put_the_remainder_first() {
        assert_eq!(Jurisdictions::Equal.sizes(10, 3), vec![4, 3, 3]);
        assert_eq!(Jurisdictions::Equal.sizes(9, 3), vec![3, 3, 3]);
    }

    #[test]
    fn zipf_blocks_follow_the_power_law_and_sum_up() {
        let sizes = Jurisdictions::Zipf { exponent: 1.0 }.sizes(1000, 4);
        assert_eq!(sizes.iter().sum::<u32>(), 1000);
        // 1000 / (1 + 1/2 + 1/3 + 1/4) = 480 -> 480, 240, 160, 120
        assert_eq!(sizes, vec![480, 240, 160, 120]);
        // However steep, every jurisdiction gets a citizen first.
        let steep = Jurisdictions::Zipf { exponent: 8.0 }.sizes(10, 5);
        assert_eq!(steep.iter().sum::<u32>(), 10);
        assert!(!steep.contains(&0), "{steep:?}");
    }
}
